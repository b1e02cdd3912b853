"""Deep Learning Playground: navigation and the shared sidebar. Run with `streamlit run app.py`."""

# Training workers are spawned processes that re-import this file as __mp_main__:
# nothing may happen at import time outside main().

# (page file, catalogue key of its title, icon, navigation section)
PAGES = [
    ("views/home.py", "page_home", ":material/home:", "section_model"),
    ("views/data.py", "page_data", ":material/dataset:", "section_model"),
    ("views/build.py", "page_build", ":material/construction:", "section_model"),
    ("views/train.py", "page_train", ":material/model_training:", "section_model"),
    ("views/draw.py", "page_draw", ":material/draw:", "section_model"),
    ("views/models.py", "page_models", ":material/folder_open:", "section_model"),
    ("views/activations.py", "page_activations", ":material/show_chart:", "section_concepts"),
    ("views/losses.py", "page_losses", ":material/target:", "section_concepts"),
    ("views/optimizers.py", "page_optimizers", ":material/route:", "section_concepts"),
    ("views/backprop.py", "page_backprop", ":material/account_tree:", "section_concepts"),
    ("views/neurons.py", "page_neurons", ":material/scatter_plot:", "section_concepts"),
]


def main() -> None:
    import streamlit as st

    from playground.text.common import CATALOGUE
    from playground.ui import lesson, persistence, session, sidebar

    st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
    persistence.restore_session()  # a reloaded page gets its runs and trained model back
    t = session.translator(CATALOGUE)
    lesson.apply_from_link()
    sections: dict[str, list] = {}
    for path, title, icon, section in PAGES:
        page = st.Page(path, title=t(title), icon=icon, default=path == PAGES[0][0])
        sections.setdefault(t(section), []).append(page)
    navigation = st.navigation(sections)
    sidebar.render()
    navigation.run()


if __name__ == "__main__":
    main()
