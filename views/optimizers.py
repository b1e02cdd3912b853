"""Optimizers: a race of real Keras optimizers on 2-D loss surfaces, animated, with loss-per-step curves."""

import streamlit as st

from playground.concepts.optimizers import RACERS, SURFACES, surface_grid, trajectory
from playground.figures import concepts as figures
from playground.text.optimizers import CATALOGUE
from playground.ui import lesson, session

t = session.translator(CATALOGUE)
# Learning rates on a 1-2-5 ladder, plus every surface's defaults.
LADDER = [m * 10.0**e for e in range(-4, 1) for m in (1, 2, 5)] + [10.0]
RATES = sorted({round(v, 6) for v in LADDER} | {v for s in SURFACES.values() for v in s.learning_rates.values()})


@st.cache_data(max_entries=1024, show_spinner=False)
def race(surface: str, racer: str, lr: float, start: tuple, steps: int, noise: float):
    return trajectory(surface, racer, lr, start, steps, noise)


@st.cache_data(max_entries=16, show_spinner=False)
def grid(surface: str):
    return surface_grid(surface)


st.title(t("title"))
st.write(t("intro"))
lesson.show_status("optimizers")
controls, chart = st.columns([1, 2.8])
with controls:
    surfaces = list(SURFACES)
    key = lesson.widget(
        st.selectbox, "opt_surface", t("surface"), surfaces[0], options=surfaces,
        format_func=lambda k: t("surface_" + k),
    )  # fmt: skip
    surface = SURFACES[key]
    st.caption(t("about_" + key))
    racers = lesson.widget(
        st.multiselect, "opt_racers", t("racers"), list(RACERS), options=RACERS,
        format_func=lambda r: t("racer_" + r),
    )  # fmt: skip
    # Steps, start and learning rates are keyed by surface: each surface keeps its own.
    controls_of_surface = {f"opt_steps_{key}": t("steps"), f"opt_x_{key}": t("start_x"), f"opt_y_{key}": t("start_y")}
    steps = lesson.widget(
        st.slider, f"opt_steps_{key}", t("steps"), surface.steps, min_value=10, max_value=1000, step=10,
    )  # fmt: skip
    left, right = st.columns(2)
    (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
    start = (
        lesson.widget(
            left.number_input, f"opt_x_{key}", t("start_x"), float(surface.start[0]),
            min_value=float(x_low), max_value=float(x_high), step=0.1,
        ),
        lesson.widget(
            right.number_input, f"opt_y_{key}", t("start_y"), float(surface.start[1]),
            min_value=float(y_low), max_value=float(y_high), step=0.1,
        ),
    )  # fmt: skip
    noise = lesson.widget(st.slider, "opt_noise", t("noise"), 1.0, min_value=0.0, max_value=3.0, step=0.25)
    with st.expander(t("rates"), expanded=True):
        st.caption(t("rates_help"))
        rates = {}
        for racer in racers:
            controls_of_surface[f"opt_lr_{key}_{racer}"] = t("racer_" + racer)
            rates[racer] = lesson.widget(
                st.select_slider, f"opt_lr_{key}_{racer}", t("racer_" + racer), surface.learning_rates[racer],
                options=RATES, format_func=lambda v: f"{v:g}",
            )  # fmt: skip

paths = [race(key, racer, rates[racer], start, steps, noise) for racer in racers]
labels = {racer: t("racer_" + racer) for racer in RACERS}
with chart:
    if paths:
        st.plotly_chart(figures.race_figure(surface, grid(key), paths, labels, t), key="opt_chart")
    diverged = [labels[path.racer] for path in paths if path.diverged_at is not None]
    if diverged:
        st.error(t("diverged_warning", racers=", ".join(diverged)), icon=":material/error:")
    results = []
    for path in paths:
        (w1, w2), loss = path.final()
        if path.diverged_at is not None:
            outcome = t("diverged", step=path.diverged_at)
        elif path.reached_at is not None:
            outcome = t("reached", step=path.reached_at)
        else:
            outcome = t("not_reached", steps=path.steps)
        results.append({t("col_racer"): labels[path.racer], t("col_lr"): f"{path.learning_rate:g}",
                        t("col_result"): outcome, t("col_final_loss"): f"{loss:.4g}",
                        t("col_position"): f"({w1:.3f}, {w2:.3f})"})  # fmt: skip
    st.dataframe(results, hide_index=True, key="opt_table")
    with st.expander(t("rules_title")):
        st.markdown("\n".join(f"- **{labels[racer]}**: {t('rule_' + racer)}" for racer in RACERS))

st.page_link("views/build.py", label=t("link_build"), icon=":material/construction:")
st.page_link("views/train.py", label=t("link_train"), icon=":material/model_training:")
lesson.teacher_panel(
    "optimizers",
    {"opt_surface": t("surface"), "opt_racers": t("racers"), "opt_noise": t("noise"), **controls_of_surface},
)
