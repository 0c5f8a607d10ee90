"""`shared_service_models`: every botocore session in the process reads AWS's service models
through one loader, so each model file is parsed once.

botocore gives each session its own loader, and moto (its backends, its region tables, its
Step Functions integrations) opens new sessions freely: one first deploy parsed SageMaker's
3 MB model ten times and EC2's three times, about three seconds of every cold start. The
models are read-only data of the installed botocore, so sessions with the same data path can
share the loader and its cache. moto's own loader (AWS's models plus moto's extras, for
parsing requests and shaping responses) was likewise created anew for every service; it is
shared the same way. A loader made by `botocore.loaders.create_loader` itself (the ASL
request check keeps one, looked up when it is first needed) is the sessions' shared one too.
"""

from __future__ import annotations

import functools
from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    import botocore.loaders
    import botocore.session

    # Keyed on the data path (AWS_DATA_PATH), so a session configured to read other models
    # still gets a loader of its own; sessions pass the path and other callers may not.
    made = functools.lru_cache(maxsize=8)(botocore.loaders.create_loader)

    def shared(search_path_string: str | None = None) -> Any:
        return made(search_path_string)

    patches.replace(botocore.session, "create_loader", shared)
    patches.replace(botocore.loaders, "create_loader", shared)

    import moto.core.loaders
    import moto.core.utils

    patches.replace(
        moto.core.utils, "create_loader", functools.cache(moto.core.loaders.create_loader)
    )


def install_service_names(patches: PatchSet) -> None:
    """`service_name_table`: moto names the service of an error's module from one table of
    botocore's services, built once, not once per package.

    moto opened a botocore session and listed every service it knows (~55 ms) for each package
    whose error it serialised first, to undo its dropping of dashes (`applicationautoscaling`
    for `application-autoscaling`). The list is installed data, so one table serves them all:
    the one `aws_naming` keeps for the aws-sdk integrations' names, which drop dashes alike.
    """
    import moto.core.utils

    from aws_naming import dashed_botocore_service

    patches.replace(moto.core.utils, "service_name_from_moto_package_name", dashed_botocore_service)
