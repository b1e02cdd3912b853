"""Deep Learning Playground: navigation and the shared sidebar. Run with `streamlit run app.py`."""

# Training workers are spawned processes that re-import this file as __mp_main__:
# nothing may happen at import time outside main().

# (page file, catalogue key of its title, icon, navigation section, whether it runs Keras in this process)
PAGES = [
    ("views/home.py", "page_home", ":material/home:", "section_model", False),
    ("views/data.py", "page_data", ":material/dataset:", "section_model", False),
    ("views/build.py", "page_build", ":material/construction:", "section_model", False),
    ("views/train.py", "page_train", ":material/model_training:", "section_model", False),
    ("views/draw.py", "page_draw", ":material/draw:", "section_model", True),
    ("views/models.py", "page_models", ":material/folder_open:", "section_model", False),
    ("views/activations.py", "page_activations", ":material/show_chart:", "section_concepts", True),
    ("views/losses.py", "page_losses", ":material/target:", "section_concepts", True),
    ("views/optimizers.py", "page_optimizers", ":material/route:", "section_concepts", True),
    ("views/backprop.py", "page_backprop", ":material/account_tree:", "section_concepts", True),
    ("views/plane.py", "page_plane", ":material/scatter_plot:", "section_concepts", False),
]
# Pages that moved, under their old URL path: an old link opens the new page with its query parameters.
MOVED = {"neurons": "views/plane.py"}


def _forward(path: str):
    """A page (run by URL only) that switches to `path`, keeping the address's query parameters."""

    def forward() -> None:
        import streamlit as st

        st.switch_page(path, query_params=st.query_params.to_dict())

    return forward


def main() -> None:
    import streamlit as st

    from playground.ui import preload

    preload.base()  # before any page: script threads must never import pandas & co. at the same time

    from playground.text.common import CATALOGUE
    from playground.ui import lesson, persistence, session, sidebar
    from playground.ui.train import jobs

    st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
    persistence.restore_session()  # a reloaded page gets its runs and trained model back
    jobs.settle()  # the one place a finished job joins the run history: before the sidebar and the page draw
    t = session.translator(CATALOGUE)
    lesson.apply_from_link()
    sections: dict[str, list] = {}
    keras_pages = set()
    for path, title, icon, section, keras in PAGES:
        page = st.Page(path, title=t(title), icon=icon, default=path == PAGES[0][0])
        sections.setdefault(t(section), []).append(page)
        if keras:
            keras_pages.add(page.url_path)
    for old, path in MOVED.items():  # hidden from the menu, reached by old links
        sections[t(PAGES[-1][3])].append(st.Page(_forward(path), title=old, url_path=old, visibility="hidden"))
    navigation = st.navigation(sections)
    sidebar.render(navigation.url_path)
    if navigation.url_path in keras_pages:
        preload.keras()  # the page's modules import TensorFlow: once per server, under the lock
    navigation.run()


if __name__ == "__main__":
    main()
