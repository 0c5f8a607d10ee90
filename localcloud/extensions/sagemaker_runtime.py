"""SageMaker Runtime: InvokeEndpoint runs the served model (`invoke_endpoint`).

moto 5.2.5 answers InvokeEndpoint with canned results (a queue of bodies, else the literal
`"body"`) for any endpoint name, existing or not; here the endpoint's model answers
(`localcloud.endpoint_invocations`).
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.sagemaker.models import sagemaker_backends
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    from localcloud.endpoint_invocations import Invocation, invoke_endpoint

    def invoke(self: Any) -> tuple[int, dict[str, str], bytes]:
        # The path is /endpoints/<name>/invocations; moto's parser gives the name.
        name = str(self._get_params().get("EndpointName") or self.path.split("/")[2])
        body = self.body if isinstance(self.body, bytes) else str(self.body or "").encode()
        request = Invocation(
            endpoint_name=name,
            body=body,
            content_type=self.headers.get("Content-Type"),
            accept=self.headers.get("Accept"),
            target_variant=self.headers.get("X-Amzn-SageMaker-Target-Variant"),
            inference_id=self.headers.get("X-Amzn-SageMaker-Inference-Id"),
        )
        backend = sagemaker_backends[self.current_account][self.region]
        status, headers, answer = invoke_endpoint(backend, request)
        # moto takes a handler's status from its headers (a returned status alone is ignored).
        return status, {**headers, "status": str(status)}, answer

    patches.replace(SageMakerRuntimeResponse, "invoke_endpoint", invoke)
