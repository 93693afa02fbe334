from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    verbose_name = "Logs"

    def ready(self) -> None:
        # The token endpoint's buffered events reach the database before the process exits.
        from logs import buffer

        buffer.install_exit_flush()
