from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "offramp.referrals"
    verbose_name = "Referrals"
