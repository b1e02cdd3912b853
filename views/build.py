"""Build page: compose a model from presets and layers; live summary, diagram, errors and Keras code."""

import streamlit as st

from playground import codegen, presets
from playground import spec as specs
from playground.figures import architecture as diagram
from playground.text.build import CATALOGUE
from playground.ui import lesson, session
from playground.ui.build import layer_editor
from playground.ui.train import jobs

t = session.translator(CATALOGUE)
language = session.language()
spec = session.current_spec()

st.title(t("title"))
st.caption(t("intro"))
lesson.show_status("build")
if jobs.active_job() is not None:
    st.info(t("job_running"), icon=":material/model_training:")

report = specs.validate(spec)
editor, summary = st.columns([3, 2], gap="large")

with editor:
    pick, load = st.columns([4, 1], vertical_alignment="bottom")
    name = pick.selectbox(t("preset"), list(presets.PRESETS), format_func=lambda n: t("preset_" + n))
    if load.button(t("load_preset"), type="primary", disabled=lesson.model_locked()):
        layer_editor.replace_spec(presets.preset(name))
        st.rerun()
    st.subheader(t("layers"))
    st.markdown(t("input_text", shape="×".join(str(n) for n in spec.input_shape)))
    for position in range(1, len(spec.layers) + 1):
        layer_editor.layer_card(spec, report, position, t)
    with st.container(border=True):
        st.markdown(f"**{t('add_layer')}**")
        layer_editor.add_layer_form(spec, t)
    with st.expander(t("compile"), expanded=True):
        layer_editor.compile_settings(spec, t)

with summary:
    st.subheader(t("summary"))
    for problem in report.errors:
        if problem.position is None:
            st.error(problem.message(language))
    for problem in report.warnings:
        st.warning(problem.message(language))
    if report.ok:
        st.success(t("valid", count=len(spec.layers), params=f"{report.total_params:,}"))
    else:
        st.error(t("invalid") + " " + report.errors[0].message(language))
    total, trainable, frozen = st.columns(3)
    total.metric(t("total"), f"{report.total_params:,}")
    trainable.metric(t("trainable"), f"{report.trainable_params:,}")
    frozen.metric(t("non_trainable"), f"{report.non_trainable_params:,}")
    rows = [
        {
            t("col_position"): s.position,
            t("col_layer"): s.kind,
            t("col_shape"): "(" + ", ".join(str(n) for n in s.output_shape) + ")",
            t("col_params"): f"{s.params:,}",
        }
        for s in report.shapes
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.subheader(t("diagram"))
    st.plotly_chart(diagram.architecture_figure(spec, report, t("input"), t("params_label")), key="diagram")
    if report.ok:
        st.page_link("views/train.py", label=t("next_train"), icon=":material/model_training:")

code_tab, json_tab, share_tab = st.tabs([t("code"), t("json"), t("share")])
with code_tab:
    st.caption(t("code_text"))
    if report.ok:
        source = codegen.model_source(spec, language=language)
        st.code(source, language="python")
        st.download_button(t("download_code"), source, "model.py", "text/x-python")
with json_tab:
    st.caption(t("json_help"))
    text = st.text_area(
        t("json"), spec.to_json(), height=320, key=f"json-{layer_editor.version()}", label_visibility="collapsed"
    )
    if st.button(t("apply_json"), disabled=lesson.model_locked()):
        try:
            layer_editor.replace_spec(specs.from_json(text))
            st.rerun()
        except specs.SpecError as error:
            for problem in error.problems:
                st.error(problem.message(language))
    st.download_button(t("download_json"), spec.to_json(), "spec.json", "application/json")
with share_tab:
    link = session.show_spec_link(spec)
    base = (st.context.url or "").split("?")[0]
    st.write(t("share_text"))
    st.code(base + "?" + "&".join(f"{k}={v}" for k, v in link.items()), language=None)

lesson.teacher_panel("build", {}, with_model=True)
