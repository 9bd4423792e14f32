"""Notification channels outside the tables: the SES sender, and what SNS needs for SMS and push.

E-mail leaves from the stage's `mail_from` address: its domain is an SES identity (DKIM-signed; its DNS records
are in the identity's console page after the first deploy) with a configuration set that requires TLS, keeps
reputation metrics and suppresses addresses that bounced or complained. SMS needs no resource (SNS publishes
to a phone number). Push goes through an SNS platform application that holds the FCM credentials, so it is made
by hand and named in the stage settings (`push_application_arn`), never here.
"""
from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.stages import StageSettings

__all__ = ["MailSender", "push_endpoints_arn"]


class MailSender(Construct):
    """The SES identity of the sender's domain and its default configuration set."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self, "ConfigurationSet", reputation_metrics=True, sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS)
        self.identity = ses.EmailIdentity(
            self, "Identity", identity=ses.Identity.domain(stage.mail_from.rpartition("@")[2]),
            configuration_set=self.configuration_set)
        stack = Stack.of(self)
        self.configuration_set_arn = stack.format_arn(
            service="ses", resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name)


def push_endpoints_arn(application_arn: str) -> str:
    """The device endpoints of a platform application: `...:app/GCM/name` -> `...:endpoint/GCM/name/*`."""
    if ":app/" not in application_arn:
        raise ValueError(f"not an SNS platform application ARN: {application_arn!r}")
    return application_arn.replace(":app/", ":endpoint/", 1) + "/*"
