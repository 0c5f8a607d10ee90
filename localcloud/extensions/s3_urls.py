"""`s3_url_module`: moto's S3 URL table is read once per setting, not on every request.

moto's S3 backend reloads `moto.s3.urls` (importlib.reload: a stat, a read and, without
bytecode files, a compile of the source) each time its URLs are looked up, which is twice for
every request the process makes to any service whose URL pattern S3's also matches, so that
`MOTO_S3_CUSTOM_ENDPOINTS` changes take effect. That reload was a third of a deploy's time.
The module is reloaded here only when that variable differs from the last load.
"""

from __future__ import annotations

import os
import threading
from importlib import reload
from types import ModuleType

from localcloud.extensions.patching import PatchSet

_SETTING = "MOTO_S3_CUSTOM_ENDPOINTS"


def install(patches: PatchSet) -> None:
    from moto.s3.models import S3Backend

    lock = threading.Lock()
    loaded: dict[str, str | None] = {}

    def _url_module(self: S3Backend) -> ModuleType:
        import moto.s3.urls as urls

        setting = os.environ.get(_SETTING)
        with lock:
            if loaded.get(_SETTING, "") != setting:
                reload(urls)
                loaded[_SETTING] = setting
        return urls

    patches.replace(S3Backend, "_url_module", property(_url_module))
