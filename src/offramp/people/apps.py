from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "offramp.people"
    verbose_name = "People"
