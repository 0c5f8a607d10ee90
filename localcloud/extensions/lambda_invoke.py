"""`lambda_in_process`: Invoke runs the function's own handler in this process."""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from localcloud import lambda_runtime

    def invoke(
        self: Any,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> bytes:
        return lambda_runtime.invoke(
            self, function_name, qualifier, body, headers, response_headers
        )

    patches.replace(LambdaSimpleBackend, "invoke", invoke)
