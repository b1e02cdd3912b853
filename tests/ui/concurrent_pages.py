"""Run several AppTest sessions of app.py at once, each in its own thread, in a process that imported nothing yet.

Usage: python tests/ui/concurrent_pages.py views/build.py views/data.py ...   (prints one JSON line: the errors)

What a fresh server sees when a class opens its pages together: every session's script runs in its own thread and
the first imports of pandas, Plotly and Keras happen concurrently.
"""

import json
import os
import sys
import tempfile
import threading
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _share_one_runtime() -> None:
    # AppTest swaps a mock Runtime into the process-wide singleton for each run and clears it afterwards, so two runs
    # at once would take it from each other. A server has one Runtime for all its sessions: so do these.
    from unittest.mock import MagicMock

    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime import Runtime
    from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
    from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    shared.bidi_component_registry = BidiComponentManager()
    shared.bidi_component_registry.discover_and_register_components(start_file_watching=False)
    Runtime.instance = classmethod(lambda cls: shared)
    Runtime.exists = classmethod(lambda cls: True)


def main(pages: list[str]) -> int:
    """Open every page in its own thread at the same moment; print the exceptions they showed as JSON."""
    os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="keras-home-")
    os.environ["PLAYGROUND_OFFLINE"] = "1"
    os.environ["PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="playground-data-")
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    _share_one_runtime()
    errors: list[str] = []
    start = threading.Barrier(len(pages))

    def open_page(page: str) -> None:
        try:
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
            start.wait()
            app.switch_page(page).run()  # one run, straight to the page, as a deep link does
            for exception in app.exception:
                trace = "\n".join(exception.stack_trace) if os.environ.get("PLAYGROUND_TRACE") else ""
                errors.append(f"{page}: {exception.value} {trace}".strip())
        except Exception:
            errors.append(f"{page}: {traceback.format_exc(limit=3)}")

    threads = [threading.Thread(target=open_page, args=(page,)) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"errors": errors, "pandas": "pandas" in sys.modules}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
