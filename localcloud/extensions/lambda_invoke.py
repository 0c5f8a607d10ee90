"""`lambda_in_process`: Invoke runs the function's own handler in this process;
`lambda_version_code`: the code of the version invoked; `invoke_qualifier`: Invoke's
`Qualifier` parameter selects the version or alias, and Invoke of a missing function names the
version it asked for (`:$LATEST` when unqualified), as Lambda's error does."""

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


def install_version_code(patches: PatchSet) -> None:
    from localcloud import lambda_code, lambda_runtime

    patches.replace(lambda_runtime, "code_scope", lambda_code.version_code)


def install_qualifier(patches: PatchSet) -> None:
    from moto.awslambda.responses import LambdaResponse

    original = LambdaResponse.invoke

    from moto.awslambda.exceptions import UnknownFunctionException

    def invoke(self: Any) -> Any:
        # boto3 sends ?Qualifier=...; moto reads a lower-case "qualifier" and so invoked
        # $LATEST whatever the caller named.
        if "Qualifier" in self.querystring and "qualifier" not in self.querystring:
            self.querystring["qualifier"] = self.querystring["Qualifier"]
        try:
            return original(self)
        except UnknownFunctionException as missing:
            # Lambda's message names the version invoked: "Function not found:
            # arn:...:function:name:$LATEST" for an unqualified call (moto left it off).
            arn = str(missing.message).removeprefix("Function not found: ")
            if "qualifier" in self.querystring or arn.count(":") != 6:
                raise
            raise UnknownFunctionException(f"{arn}:$LATEST") from None

    patches.replace(LambdaResponse, "invoke", invoke)
