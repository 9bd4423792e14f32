"""Identity in AWS stages: a Cognito user pool and the app client whose tokens `chalicelib.auth` verifies.

Accounts are created by schools (roster import, `chalicelib.auth.cognito_users`), never by sign-up. Users sign in
with the username the roster gives them; pupils often have no e-mail, so recovery goes through the school admin.
Each user carries `custom:person_id`, set at creation and immutable (nobody, the user included, can point a
login at another person). The app trusts that claim, so no app client may write it: the client's write
attributes are named (`locale` only, never a custom one); left unset, Cognito lets a signed-in user write
attributes with their own access token. The password policy is the roster's (8 to 128 characters, no character
classes: the file's password is the first, temporary one, and the user's own must follow the same rule); the
roster checks it before anything is created.
"""
from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.stages import StageSettings

__all__ = ["UserDirectory"]


class UserDirectory(Construct):
    """The user pool and the one public app client (web and mobile: no client secret)."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.pool = cognito.UserPool(
            self, "Pool",
            user_pool_name=f"ejournal-{stage.name}",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            sign_in_case_sensitive=False,
            custom_attributes={"person_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=False)},
            password_policy=cognito.PasswordPolicy(min_length=8, require_lowercase=False, require_uppercase=False,
                                                   require_digits=False, require_symbols=False,
                                                   temp_password_validity=Duration.days(7)),
            mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.NONE,
            deletion_protection=stage.retain_data,
            removal_policy=RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY,
        )
        self.client = self.pool.add_client(
            "App",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
            write_attributes=cognito.ClientAttributes().with_standard_attributes(locale=True),
        )
