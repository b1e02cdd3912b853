"""Learning replayed on screen, on the Train page (a finished run) and the Draw page (its model): a slider over the
run's snapshots and a play button that steps through them, showing the filters, the probe's maps and prediction, and
the loss curve marked at that moment."""

import streamlit as st

from playground.figures import replay as figures
from playground.figures import training as training_figures
from playground.text.train import CATALOGUE
from playground.training.replay import Replay
from playground.training.runs import History
from playground.ui import session

PLAY_S = 0.8  # seconds per frame while playing
PAGES = ("train", "draw")  # the pages that replay, each with its own slider and play state


def _follow(replay: Replay, page: str) -> None:
    # Another run's replay (a new run, a Continue): start at its end, what it learned, and not playing.
    frame = f"{page}_replay_frame"
    play = f"{page}_replay_playing"
    shown = (len(replay), float(replay.epoch[-1]), int(replay.step[-1]), replay.map_layers)
    if st.session_state.get(f"{page}_replay_of") != shown or not 0 <= st.session_state.get(frame, -1) < len(replay):
        st.session_state[f"{page}_replay_of"] = shown
        st.session_state[frame], st.session_state[play] = len(replay) - 1, False


def playing(page: str) -> bool:
    """True while this page's replay steps through its frames."""
    return st.session_state.get(f"{page}_replay_playing", False)


def _toggle(page: str, count: int) -> None:
    frame = f"{page}_replay_frame"
    play = f"{page}_replay_playing"
    st.session_state[play] = not playing(page)
    if st.session_state[play] and st.session_state.get(frame, count - 1) >= count - 1:
        st.session_state[frame] = 0  # play from the start when the slider stands at the end


def _advance(page: str, count: int) -> bool:
    """Step the playing replay one frame on; False (and paused) when it stood at the last."""
    frame = f"{page}_replay_frame"
    at = st.session_state.get(frame, count - 1)
    if at >= count - 1:
        st.session_state[f"{page}_replay_playing"] = False
        return False
    st.session_state[frame] = at + 1
    return True


def frame_label(replay: Replay, index: int, t) -> str:
    """'epoch 0.25 · step 8' for a frame."""
    return t("replay_frame", epoch=f"{replay.epoch[index]:g}", step=int(replay.step[index]))


def _moment(replay: Replay, index: int, history: History, names: tuple[str, ...], t, page: str) -> None:
    st.caption(t("replay_at", moment=frame_label(replay, index, t), frame=index + 1, frames=len(replay)))
    if history.epoch:
        curves = figures.marked(training_figures.epoch_figure(history, t), float(replay.epoch[index]))
        st.plotly_chart(curves, key=f"{page}_replay_curves")
    left, right = st.columns([1, 2])
    with left:
        st.plotly_chart(figures.probe(replay, t("replay_probe")), key=f"{page}_replay_probe")
    with right:
        chart = figures.prediction(replay, index, names, t("replay_prediction"), t("replay_probability"))
        st.plotly_chart(chart, key=f"{page}_replay_prediction")
    shown = figures.filters(replay, index, t("replay_filters", count=replay.filters.shape[1]), t("replay_filter"))
    if shown is not None:
        st.plotly_chart(shown, key=f"{page}_replay_filters")
    for layer, name in enumerate(replay.map_layers):
        title = t("replay_maps", layer=name, count=replay.maps[layer].shape[1])
        chart = figures.maps(replay, index, layer, title, t("replay_map"))
        st.plotly_chart(chart, key=f"{page}_replay_maps_{layer}")


def panel(replay: Replay | None, history: History, names: tuple[str, ...], page: str) -> None:
    """The replay of a run (nothing when it has no snapshots); `page` is "train" or "draw"."""
    if replay is None or len(replay) < 2:
        return
    t = session.translator(CATALOGUE)
    if len(names) != replay.probabilities.shape[1]:
        names = tuple(str(i) for i in range(replay.probabilities.shape[1]))
    count = len(replay)
    _follow(replay, page)
    st.markdown(f"**{t('replay_title')}**")
    st.caption(t("replay_help"))
    st.button(t("replay_pause") if playing(page) else t("replay_play"), on_click=_toggle, args=(page, count),
              icon=":material/pause:" if playing(page) else ":material/play_arrow:",
              key=f"{page}_replay_play")  # fmt: skip

    @st.fragment(run_every=PLAY_S if playing(page) else None)
    def moment() -> None:
        if playing(page) and not _advance(page, count):
            st.rerun()  # at the end: a full run takes the fragment's timer away
        index = st.select_slider(t("replay_slider"), options=list(range(count)),
                                 format_func=lambda i: frame_label(replay, i, t), key=f"{page}_replay_frame")  # fmt: skip
        _moment(replay, index, history, names, t, page)

    moment()
