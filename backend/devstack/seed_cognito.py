"""Cognito: the user pool, its groups, the console's public app client and the demo staff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyotp
from pycognito.aws_srp import AWSSRP

from backend.devstack.demo_accounts import ACCOUNTS, GROUPS, DemoAccount

POOL_NAME = "shop-management-users"
CLIENT_NAME = "shop-console"
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


def describe_password_policy(policy: dict[str, object] = PASSWORD_POLICY) -> str:
    """The policy in the words a person sees when choosing a password (a public client cannot read the pool's)."""
    kinds = [
        name
        for key, name in (
            ("RequireUppercase", "upper case letters"),
            ("RequireLowercase", "lower case letters"),
            ("RequireNumbers", "a number"),
            ("RequireSymbols", "a symbol"),
        )
        if policy.get(key)
    ]
    rule = f"At least {policy['MinimumLength']} characters"
    return rule + (", with " + ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else "") + "."


GROUP_DESCRIPTIONS = {
    "cashier": "Counter staff: sell, look up products and stock, work offline",
    "manager": "Shop managers: products, prices, stock adjustments, refunds",
    "support": "Field support: read every shop screen, sync tools and diagnostics",
    "admin": "Operators: backups, runbooks, health dashboard, audit log",
}
# Standard attributes only: a user must never be able to write anything the server trusts (tenancy is server-side).
WRITABLE_ATTRIBUTES = ["name", "email"]
READABLE_ATTRIBUTES = ["name", "email", "email_verified"]


@dataclass(frozen=True)
class CognitoSeed:
    user_pool_id: str
    client_id: str
    subs: dict[str, str]  # username -> sub
    totp_secret: str | None  # the authenticator secret of the MFA users (moto has one for everybody)


def seed(cognito: Any, accounts: Iterable[DemoAccount] = ACCOUNTS) -> CognitoSeed:
    pool_id = cognito.create_user_pool(
        PoolName=POOL_NAME,
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        MfaConfiguration="OPTIONAL",
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
        UserPoolTags={"Project": "shop-management", "Environment": "production"},
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    for precedence, group in enumerate(reversed(GROUPS)):  # admin outranks manager outranks …
        cognito.create_group(
            UserPoolId=pool_id, GroupName=group, Description=GROUP_DESCRIPTIONS[group], Precedence=precedence
        )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
        ReadAttributes=READABLE_ATTRIBUTES,
        WriteAttributes=WRITABLE_ATTRIBUTES,
        AccessTokenValidity=60,
        IdTokenValidity=60,
        RefreshTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    )["UserPoolClient"]["ClientId"]

    subs: dict[str, str] = {}
    totp_secret = None
    for account in accounts:
        subs[account.username] = _create_user(cognito, pool_id, account)
        if account.challenge == "totp":
            totp_secret = _enable_authenticator(cognito, pool_id, client_id, account)
    return CognitoSeed(pool_id, client_id, subs, totp_secret)


def _create_user(cognito: Any, pool_id: str, account: DemoAccount) -> str:
    user = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=account.username,
        TemporaryPassword=account.password,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "name", "Value": account.display_name},
            {"Name": "email", "Value": account.email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )["User"]
    if account.challenge != "new_password":
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=account.username, Password=account.password, Permanent=True
        )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=account.username, GroupName=account.role)
    return next(attr["Value"] for attr in user["Attributes"] if attr["Name"] == "sub")


def _enable_authenticator(cognito: Any, pool_id: str, client_id: str, account: DemoAccount) -> str:
    """What a user does in an app: sign in, associate a software token, verify a code, prefer it."""
    tokens = AWSSRP(account.username, account.password, pool_id, client_id, client=cognito).authenticate_user()
    access_token = tokens["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    for attempt in range(2):
        try:
            cognito.verify_software_token(
                AccessToken=access_token, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="demo phone"
            )
            break
        except cognito.exceptions.CodeMismatchException:
            if attempt:  # a code made at the edge of a 30 s step may expire in flight; a fresh one may not
                raise
    cognito.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret
