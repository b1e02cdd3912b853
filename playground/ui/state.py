"""Who owns each st.session_state key: the one module that reads and writes it, widget keys included.

Another module that needs a piece of state asks its owner (a function), never the key. tests/ui/test_state_owners.py
parses playground/ui/, views/ and app.py and fails on a key used outside its owner, on a key missing here, and on
a row here that no source uses. A key built at run time is written with "*" for the part known only then
(f"train_opt_{kind}" is "train_opt_*"); a row with "*" covers every key it matches. Nothing imports this table:
it is the map, and the test holds the sources to it.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    # the shared sidebar, language and model
    "playground.ui.session": ("language", "spec", "link_error", "trained_model"),
    "playground.ui.sidebar": ("language_switch", "presentation_mode"),
    "playground.ui.lesson": (
        "lesson",
        "lesson_error",
        "lesson_rejected",
        "teacher-lock-*",
        "teacher-hide-*",
        "teacher-compare-*",
    ),
    "playground.ui.persistence": (
        "persist_token",
        "persist_restored",
        "persist_saved",
        "persist_stored",
        "persist_notice",
    ),  # fmt: skip
    "playground.ui.models.image_sets": ("own_image_sets",),
    # Build
    "playground.ui.build.layer_editor": ("spec_version", "v*-*"),
    "views.build": ("diagram", "json-*"),
    # Data
    "views.data": ("data_page_dataset", "class_counts"),
    # Train
    "playground.ui.train.jobs": (
        "train_job",
        "train_runs",
        "train_recorded",
        "train_run_counter",
        "train_lock",
        "train_saved_handle",
    ),
    "playground.ui.train.form": (
        "train_dataset",
        "train_epochs",
        "train_batch",
        "train_validation",
        "train_seed",
        "train_samples",
        "train_augment",
        "train_shift",
        "train_rotation",
        "train_stroke",
        "train_precision",
        "train_opt_*",
        "train_lr_*",
    ),  # fmt: skip
    "playground.ui.train.view": (
        "train_panel_drawn",
        "train_chart_steps",
        "train_chart_epochs",
        "train_wake",
        "train_compare",
        "train_compare_offered",
        "train_compare_focus",
        "train_overlay_metric",
        "train_chart_overlay",
        "sidebar_wake",
    ),  # fmt: skip
    "playground.ui.train.replay": (  # f"{page}_replay_…": page is "train" or "draw"
        "*_replay_frame",
        "*_replay_playing",
        "*_replay_of",
        "*_replay_play",
        "*_replay_curves",
        "*_replay_probe",
        "*_replay_prediction",
        "*_replay_filters",
        "*_replay_maps_*",
    ),  # fmt: skip
    "playground.ui.train.compare": ("train_compare_use_*",),
    "views.train": ("train_start", "train_stop", "train_more", "train_continue", "train_reset"),
    # Draw
    "playground.ui.draw.inputs": (
        "draw_source",
        "draw_sample",
        "draw_model",
        "draw_pen",
        "draw_canvas",
        "draw_pick",
        "draw_pick_class",
        "draw_upload",
    ),  # fmt: skip
    "playground.ui.draw.canvas_toolbar": ("canvas_toolbar_below",),
    "playground.ui.draw.explain_panel": ("draw_explain_*",),
    "playground.ui.draw.panels": (
        "draw_probabilities",
        "draw_inside_tab",
        "draw_layer",
        "draw_maps",
        "draw_dense_*",
        "draw_filters",
        "draw_saliency",
        "draw_confusion",
        "draw_class_names",
        "draw_cell_true",
        "draw_cell_predicted",
        "draw_cell_example",
    ),  # fmt: skip
    # My models
    "playground.ui.models.files": ("models_bundle_result", "models_own_result", "models_*"),
    # concept pages
    "views.activations": ("act_*", "activations_experiment"),
    "views.losses": ("loss_*",),
    "views.optimizers": ("opt_*",),
    "views.backprop": ("bp_*", "backprop_weights", "backprop_example", "backprop_losses"),
    # the 2-D playground
    "playground.ui.plane.state": ("plane_settings", "plane_playing", "plane_run", "plane_run_keys", "plane_resets"),
    "playground.ui.plane.address": ("plane_link",),
    "playground.ui.plane.controls": ("plane_w_*",),
    "playground.ui.plane.panels": (
        "plane_share_lock",
        "plane_share_hide",
        "plane_share_open_build",
        "plane_share_points",
    ),  # fmt: skip
    "playground.ui.plane.own": ("plane_own_*",),
}

# Helpers that draw or read widgets for their caller, by the position of the key argument of each function: the key
# they are handed is the caller's (who must own it), and only these modules may use keys not known from the source.
DELEGATES: dict[str, dict[str, int]] = {
    "playground.ui.lesson": {"widget": 1, "control": 0},  # presets, locks or hides a widget; teacher links read it
    "playground.ui.wake": {"on_visible": 0},  # the invisible listener that reruns the caller's fragment
}
