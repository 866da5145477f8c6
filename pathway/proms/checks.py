"""System checks for the questionnaire windows: a mistyped setting must stop the service
starting, not silently count answers at the wrong time point."""

from django.core import checks

from pathway.proms import windows


@checks.register(checks.Tags.compatibility)
def check_questionnaire_windows(app_configs=None, **kwargs):
    return [
        checks.Error(problem, hint="See .env.example and docs/architecture.md.", id="proms.E001")
        for problem in windows.settings_problems()
    ]
