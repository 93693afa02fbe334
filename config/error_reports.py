"""Error reports without secrets: settings.DEFAULT_EXCEPTION_REPORTER_FILTER.

Django's technical 500 page (DEBUG) and its admin emails show every frame's local variables
and the request's POST values. Gatehouse's frames hold client secrets, HS256 secrets,
decrypted private keys and bearer tokens, and marking each with @sensitive_variables is a list
that would one day miss one. So the filter is always on, even with DEBUG, and hides every
local value and every POST value; tracebacks keep their file, line and variable names.
"""

from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class SecretFreeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: Any) -> bool:
        # Django's filter steps aside in DEBUG; `make run` is DEBUG, and secrets are real there.
        return True

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_post_parameters(self, request: Any) -> Any:
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed.setlist(name, [self.cleansed_substitute])
        return cleansed
