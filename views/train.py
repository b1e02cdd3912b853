"""Train page: data and hyper-parameters, Start/Stop/Continue/Reset, live curves, test metrics, run history."""

import streamlit as st

from playground import spec as specs
from playground.text.train import CATALOGUE
from playground.training.limits import JobRejected
from playground.training.runs import parameter_count, spec_summary
from playground.ui import lesson, session
from playground.ui.train import compare, jobs
from playground.ui.train import form as train_form
from playground.ui.train import view as train_view

t = session.translator(CATALOGUE)
language = session.language()
spec = session.current_spec()
report = specs.validate(spec)
limits = jobs.limits()
jobs.prewarm()  # a worker imports TensorFlow while the learner picks settings

st.title(t("title"))
st.caption(t("intro"))
lesson.show_status("train")
settings_column, live_column = st.columns([1, 2], gap="large")

with settings_column:
    compare.panel(t)
    if report.ok:
        st.markdown(
            t(
                "model_line",
                summary=spec_summary(spec),
                params=f"{parameter_count(spec):,}",
                optimizer=spec.optimizer.kind,
                loss=spec.loss,
            )
        )
    st.page_link("views/build.py", label=t("edit_model"), icon=":material/construction:")
    with st.container(border=True):
        st.markdown(f"**{t('settings')}**")
        train_form.optimizer_widgets(spec, t)
        settings = train_form.settings_form(t, limits)
    problem = train_form.blocking_problem(spec, report, settings)
    if problem is not None:
        st.error(t("model_invalid", detail=problem.message(language)))

    job = jobs.current_job()
    active = job is not None and job.active
    start, stop = st.columns(2)
    if start.button(
        t("start"),
        type="primary",
        icon=":material/play_arrow:",
        disabled=active or problem is not None,
        width="stretch",
        key="train_start",
    ):
        try:
            jobs.start(spec, settings)
            st.rerun()
        except JobRejected as error:
            st.error(t("rejected", detail=error))
    if stop.button(t("stop"), icon=":material/stop:", disabled=not active, width="stretch", key="train_stop"):
        jobs.stop()
        st.rerun()
    more, go_on = st.columns(2, vertical_alignment="bottom")
    extra = more.number_input(t("continue_epochs"), 1, limits.max_epochs, 3, key="train_more", persist_state="session")
    if go_on.button(
        t("continue"),
        icon=":material/fast_forward:",
        disabled=not jobs.can_continue(spec),
        help=t("continue_help"),
        width="stretch",
        key="train_continue",
    ):
        try:
            jobs.continue_run(int(extra))
            st.rerun()
        except JobRejected as error:
            st.error(t("rejected", detail=error))
    if job is not None and job.done and job.result is not None and job.request.spec != spec:
        st.caption(t("continue_changed"))
    st.button(
        t("reset"),
        icon=":material/restart_alt:",
        disabled=job is None,
        help=t("reset_help"),
        on_click=jobs.reset,
        key="train_reset",
    )
    st.caption(t("limits", jobs=limits.max_running, epochs=limits.max_epochs, minutes=round(limits.max_wall_s / 60)))

with live_column:
    train_view.live_panel(t, language)
    train_view.replay_panel()

st.divider()
train_view.run_history(t)
lesson.teacher_panel("train", {key: t(label) for key, label in train_form.LESSON_CONTROLS.items()}, with_model=True)
