from django.apps import AppConfig


class IndexConfig(AppConfig):
    name = "offramp.index"
    label = "person_index"
    verbose_name = "Person index and record linkage"
