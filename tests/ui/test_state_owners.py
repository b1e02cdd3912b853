"""One owner for each piece of session state: every st.session_state key (widget keys included) is read and written
only by the module playground/ui/state.py names; a finished job is settled in one place; no UI module reaches into
another object's private parts."""

import ast
import fnmatch
import textwrap

from playground.ui import state

from .state_keys import ROOT, UNKNOWN, Module, sources, uses, uses_in


def _owners(key: str) -> set[str]:
    return {owner for owner, patterns in state.OWNERS.items() for pattern in patterns
            if fnmatch.fnmatchcase(key, pattern)}  # fmt: skip


def test_every_key_is_used_only_by_its_owner():
    problems = []
    for use in uses(state.DELEGATES):
        if use.key == UNKNOWN:
            if use.module not in state.DELEGATES:
                problems.append(f"{use}: a key the source does not show (only a delegate may use those)")
            continue
        owners = _owners(use.key)
        if not owners:
            problems.append(f"{use}: not in the owner table")
        elif len(owners) > 1:
            problems.append(f"{use}: claimed by {sorted(owners)}")
        elif owners != {use.module}:
            problems.append(f"{use}: owned by {owners.pop()}; ask it through a function")
    assert problems == []


def test_every_row_of_the_owner_table_is_used_by_its_owner():
    used = {(use.module, use.key) for use in uses(state.DELEGATES)}
    stale = [(owner, pattern) for owner, patterns in state.OWNERS.items() for pattern in patterns
             if not any(module == owner and fnmatch.fnmatchcase(key, pattern) for module, key in used)]  # fmt: skip
    assert stale == []
    assert set(state.OWNERS) | set(state.DELEGATES) <= set(sources())


SAMPLE = """
import streamlit as st
from playground.ui import lesson, wake

TOKEN = "persist_token"
PREFIX = "plane_w_"


def _changed(key):
    return st.session_state[key]


def draw(kind, keys):
    opt_key, rate_key = f"train_opt_{kind}", f"train_lr_{kind}"
    st.selectbox("o", [], key=opt_key, on_change=_changed, args=(opt_key,))
    st.number_input("r", **{"key": rate_key, "on_change": _changed, "args": (rate_key,)})
    lesson.widget(st.slider, "train_seed", "Seed", 0)
    wake.on_visible("train_wake")
    if TOKEN in st.session_state:
        st.session_state.pop(PREFIX + "preset", None)
    for key in keys:
        st.session_state.get(key)
    return sorted(keys, key=len)
"""


def test_the_scanner_finds_keys_through_constants_callbacks_delegates_and_loops():
    module = Module("playground.ui.sample", textwrap.dedent(SAMPLE))
    found = {(use.key, use.how) for use in uses_in(module, state.DELEGATES)}
    assert found == {
        ("train_opt_*", "widget"), ("train_opt_*", "state"),  # an f-string, and the callback's argument
        ("train_lr_*", "widget"), ("train_lr_*", "state"),  # widget arguments spread from a dict
        ("train_seed", "delegated"), ("train_wake", "delegated"),  # keys handed to helpers that draw widgets
        ("persist_token", "state"), ("plane_w_preset", "state"),  # constants, `in` and pop
        (UNKNOWN, "state"),  # a key from a loop over a variable: only a delegate may do that
    }  # fmt: skip


def _calls(name: str) -> list[str]:
    found = []
    for module, path in sources().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                found.append(f"{module}.{ast.unparse(node.func)}")
    return found


def test_a_finished_job_is_settled_in_one_place_per_script_run():
    # The router settles before the sidebar and the page; a live panel that sees its job end reruns the script.
    assert _calls("settle") == ["app.jobs.settle"]
    main = next(node for node in ast.parse((ROOT / "app.py").read_text()).body if getattr(node, "name", "") == "main")
    lines = [ast.unparse(statement) for statement in main.body]
    assert lines.index("jobs.settle()") < lines.index("sidebar.render(navigation.url_path)")


def test_the_ui_calls_no_private_function_or_method_of_another_object():
    offenders = []
    for module, path in sources().items():
        for node in ast.walk(ast.parse(path.read_text())):
            private = (
                node.attr.startswith("_") and not node.attr.startswith("__")
                if isinstance(node, ast.Attribute)
                else False
            )
            if private and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                offenders.append(f"{module}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []
