"""A lesson's comparison on the Train page: the presets it sets side by side, a button to switch to each, which of
them has a run, and those runs for the run history to overlay once every one has been trained."""

import streamlit as st

from playground import presets
from playground.spec import ModelSpec
from playground.text.build import CATALOGUE as BUILD_TEXT
from playground.training.runs import RunRecord
from playground.ui import lesson, session
from playground.ui.build import layer_editor
from playground.ui.train import jobs


def same_network(a: ModelSpec, b: ModelSpec) -> bool:
    """True when two specs are the same network (the optimizer's settings, changed on the Train page, aside)."""
    return (a.input_shape, a.num_classes, a.layers, a.loss) == (b.input_shape, b.num_classes, b.layers, b.loss)


def latest_runs(names: tuple[str, ...], records: list[RunRecord]) -> dict[str, RunRecord]:
    """Each compared preset's latest run among `records`, by name (a preset not yet trained is left out)."""
    found = {}
    for record in records:  # oldest first: a later run of the same network replaces an earlier one
        for name in names:
            if same_network(record.spec, presets.preset(name)):
                found[name] = record
    return found


def run_models(records: list[RunRecord]) -> dict[int, tuple[str]]:
    """The compared preset each run trained, by run id, for the runs of the lesson's comparison."""
    names = lesson.compared()
    return {r.run_id: (n,) for r in records for n in names if same_network(r.spec, presets.preset(n))}


def focus() -> list[int]:
    """The run ids the run history should overlay for the lesson's comparison: one per preset, once all have a run."""
    names = lesson.compared()
    found = latest_runs(names, jobs.runs())
    return [found[name].run_id for name in names] if names and len(found) == len(names) else []


def _use(name: str) -> None:
    layer_editor.replace_spec(presets.preset(name))


def panel(t) -> None:
    """The lesson's comparison: each preset with what it is, its latest run, and a button to train it next."""
    names = lesson.compared()
    if not names:
        return
    preset_text = session.translator(BUILD_TEXT)
    current = session.current_spec()
    found = latest_runs(names, jobs.runs())
    busy = jobs.active_job() is not None
    with st.container(border=True):
        st.markdown(f"**{t('lesson_compare', names=' · '.join(names))}**")
        st.caption(t("lesson_compare_text"))
        for name in names:  # one under the other: the settings column is narrow
            run = found.get(name)
            status = t("lesson_compare_run", run=t("run", id=run.run_id)) if run else t("lesson_compare_untrained")
            st.markdown(f"{preset_text('preset_' + name)}  \n*{status}*")
            in_use = same_network(current, presets.preset(name))
            st.button(
                t("lesson_compare_in_use") if in_use else t("lesson_compare_use"),
                icon=":material/check:" if in_use else ":material/swap_horiz:",
                disabled=in_use or busy,
                on_click=_use,
                args=(name,),
                key=f"train_compare_use_{name}",
            )
        if len(found) == len(names):
            st.caption(t("lesson_compare_done"))
