"""Ready-made lessons a teacher can hand out as they are: each a teacher link's lesson, by name."""

from playground import links

# Skip connections: the small ResNet against the same network without its skips, trained in turn with the same
# settings (those of benchmarks/residual_gap.py for one seed), the model and the settings locked so that the two
# runs differ in the skips only.
SKIP_CONNECTIONS = links.Lesson(
    "train",
    {"train_epochs": 4, "train_batch": 32, "train_seed": 0, "train_samples": 0, "train_validation": 0.1},
    ("model", "train_epochs", "train_batch", "train_seed", "train_samples", "train_validation"),
    compare=("resnet", "resnet-plain"),
)

READY = {"skip-connections": SKIP_CONNECTIONS}


def address(name: str) -> str:
    """The ready-made lesson's address, relative to the app: 'train?lesson=…'."""
    lesson = READY[name]
    return f"{lesson.page}?lesson={links.lesson_value(lesson)}"
