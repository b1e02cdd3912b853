"""Deep Learning Playground: navigation and the shared sidebar. Run with `streamlit run app.py`."""

# Training workers are spawned processes that re-import this file as __mp_main__:
# nothing may happen at import time outside main().

# (page file, catalogue key of its title, icon, navigation section)
PAGES = [
    ("pages/home.py", "page_home", ":material/home:", "section_model"),
    ("pages/build.py", "page_build", ":material/construction:", "section_model"),
    ("pages/draw.py", "page_draw", ":material/draw:", "section_model"),
    ("pages/activations.py", "page_activations", ":material/show_chart:", "section_concepts"),
    ("pages/losses.py", "page_losses", ":material/target:", "section_concepts"),
]


def main() -> None:
    import streamlit as st

    from playground.text.common import CATALOGUE
    from playground.ui import session, sidebar

    st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
    t = session.translator(CATALOGUE)
    sections: dict[str, list] = {}
    for path, title, icon, section in PAGES:
        page = st.Page(path, title=t(title), icon=icon, default=path == PAGES[0][0])
        sections.setdefault(t(section), []).append(page)
    navigation = st.navigation(sections)
    sidebar.render()
    navigation.run()


if __name__ == "__main__":
    main()
