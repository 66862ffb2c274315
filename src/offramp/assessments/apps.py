from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "offramp.assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Load and validate the framework now: a malformed file must stop start-up with an
        # error naming the file and the entry, not fail on the first assessment.
        from .framework import current_framework

        current_framework()
