"""Signing in against the stack as the console does (SRP with pycognito over boto3), and shop-api trusting it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException, SoftwareTokenMFAChallengeException

from backend.devstack import StackInfo
from backend.devstack.moto_srp import WRONG_CREDENTIALS


def srp(cognito: Any, stack: StackInfo, username: str, password: str) -> dict[str, Any]:
    return AWSSRP(username, password, stack.user_pool_id, stack.client_id, client=cognito).authenticate_user()


def me(stack: StackInfo, access_token: str) -> httpx.Response:
    return httpx.get(f"{stack.api_url}/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=10)


def fresh_code(secret: str) -> str:
    """A code that stays valid on its way to moto, which accepts the current 30 s step only."""
    totp = pyotp.TOTP(secret)
    if totp.interval - time.time() % totp.interval < 2:
        time.sleep(2)
    return totp.now()


def test_health_answers(stack: StackInfo) -> None:
    response = httpx.get(f"{stack.api_url}/v1/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "sqlite"


def test_jwks_is_served_by_moto(stack: StackInfo) -> None:
    keys = httpx.get(stack.jwks_url, timeout=10).json()["keys"]
    assert keys and all(key["kty"] == "RSA" for key in keys)
    assert stack.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{stack.user_pool_id}"


def test_demo_cashier_signs_in_with_srp_and_the_api_knows_her_shop(cognito: Any, stack: StackInfo) -> None:
    cashier = stack.user("corner-cashier")
    tokens = srp(cognito, stack, cashier.username, cashier.password)["AuthenticationResult"]

    response = me(stack, tokens["AccessToken"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["shop"]["name"] == "Corner Grocer"
    assert body["role"] == "cashier"
    assert body["user"]["username"] == "corner-cashier"


@pytest.mark.parametrize(
    ("username", "shop", "role"),
    [
        ("corner-manager", "Corner Grocer", "manager"),
        ("corner-support", "Corner Grocer", "support"),
        ("harbor-cashier", "Harbor Hardware", "cashier"),
        ("harbor-manager", "Harbor Hardware", "manager"),
        ("ops-admin", "Corner Grocer", "admin"),
    ],
)
def test_every_plain_demo_user_has_a_staff_row(
    cognito: Any, stack: StackInfo, username: str, shop: str, role: str
) -> None:
    user = stack.user(username)
    assert (user.shop, user.role, user.challenge) == (shop, role, None)
    tokens = srp(cognito, stack, user.username, user.password)["AuthenticationResult"]
    body = me(stack, tokens["AccessToken"]).json()
    assert (body["shop"]["name"], body["role"]) == (shop, role)


def test_wrong_password_is_refused(cognito: Any, stack: StackInfo) -> None:
    with pytest.raises(ClientError) as refused:
        srp(cognito, stack, "corner-cashier", stack.user("corner-manager").password)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == WRONG_CREDENTIALS


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(cognito: Any, stack: StackInfo) -> None:
    with pytest.raises(ClientError) as refused:
        srp(cognito, stack, "nobody-here", "Whatever-Pass-1!")
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == WRONG_CREDENTIALS


def test_unknown_user_is_named_when_the_client_does_not_hide_it(cognito: Any, stack: StackInfo) -> None:
    """The decoy challenge is Cognito's PreventUserExistenceErrors behaviour, not a blanket change to moto."""
    legacy = cognito.create_user_pool_client(
        UserPoolId=stack.user_pool_id, ClientName="legacy", PreventUserExistenceErrors="LEGACY"
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as refused:
        AWSSRP("nobody-here", "Whatever-Pass-1!", stack.user_pool_id, legacy, client=cognito).authenticate_user()
    assert refused.value.response["Error"]["Code"] == "UserNotFoundException"


def test_new_hire_must_set_a_new_password_but_only_with_the_right_one(
    cognito: Any, stack: StackInfo, new_hire: Any
) -> None:
    assert new_hire.username == "corner-new-hire"
    with pytest.raises(ForceChangePasswordException):
        srp(cognito, stack, new_hire.username, new_hire.password)
    with pytest.raises(ClientError, match="Incorrect username or password"):
        srp(cognito, stack, new_hire.username, new_hire.password + "x")


def test_mfa_user_passes_with_an_authenticator_code_and_fails_with_a_wrong_one(cognito: Any, stack: StackInfo) -> None:
    user = stack.user("harbor-mfa-manager")
    assert user.challenge == "totp" and user.totp_secret

    def challenge() -> dict[str, Any]:
        with pytest.raises(SoftwareTokenMFAChallengeException) as raised:
            srp(cognito, stack, user.username, user.password)
        return raised.value.get_tokens()

    def answer(session: str, code: str) -> dict[str, Any]:
        return cognito.respond_to_auth_challenge(
            ClientId=stack.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": user.username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )

    code = fresh_code(user.totp_secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as refused:
        answer(challenge()["Session"], wrong)
    assert refused.value.response["Error"]["Code"] == "CodeMismatchException"

    tokens = answer(challenge()["Session"], fresh_code(user.totp_secret))["AuthenticationResult"]
    body = me(stack, tokens["AccessToken"]).json()
    assert (body["shop"]["name"], body["role"]) == ("Harbor Hardware", "manager")


def test_a_user_without_a_staff_row_is_forbidden(cognito: Any, stack: StackInfo) -> None:
    username, password = f"stranger-{uuid.uuid4().hex[:8]}", "Stranger-Pass-1!"
    cognito.admin_create_user(
        UserPoolId=stack.user_pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=username, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=username, GroupName="cashier")

    tokens = srp(cognito, stack, username, password)["AuthenticationResult"]

    assert me(stack, tokens["AccessToken"]).status_code == 403


def test_pool_and_client_are_set_up_as_the_console_expects(cognito: Any, stack: StackInfo) -> None:
    pool = cognito.describe_user_pool(UserPoolId=stack.user_pool_id)["UserPool"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12 and policy["RequireSymbols"]
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=stack.user_pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    client = cognito.describe_user_pool_client(UserPoolId=stack.user_pool_id, ClientId=stack.client_id)
    client = client["UserPoolClient"]
    assert "ClientSecret" not in client
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert not [a for a in client["WriteAttributes"] if a.startswith("custom:")]

    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=stack.user_pool_id)["Groups"]}
    assert groups == {"cashier", "manager", "support", "admin"}


@pytest.mark.parametrize(
    ("username", "sku_prefix", "currency"), [("corner-cashier", "GRC-", "USD"), ("harbor-cashier", "HWR-", "EUR")]
)
def test_each_shop_serves_its_demo_catalogue(
    cognito: Any, stack: StackInfo, username: str, sku_prefix: str, currency: str
) -> None:
    user = stack.user(username)
    token = srp(cognito, stack, user.username, user.password)["AuthenticationResult"]["AccessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    assert me(stack, token).json()["shop"]["currency"] == currency
    skus: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{stack.api_url}/v1/products", params=params, headers=headers, timeout=10).json()
        skus += [product["sku"] for product in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Other tests add products to the shared stack; the demo catalogue is there, and nothing of the other shop.
    other_prefix = {"GRC-": "HWR-", "HWR-": "GRC-"}[sku_prefix]
    assert len([sku for sku in skus if sku.startswith(sku_prefix)]) >= 300
    assert not [sku for sku in skus if sku.startswith(other_prefix)]
    stock = httpx.get(f"{stack.api_url}/v1/inventory", headers=headers, timeout=10).json()["items"]
    assert stock and all(row["location"] == "store" for row in stock)
