"""Pure rules of single sign-on: acceptable issuers, what an assertion must carry."""

from __future__ import annotations

from service.sso import rules


def test_issuers_are_https_but_on_loopback() -> None:
    assert rules.issuer_violations("https://sso.example.edu.cn/oidc") == []
    assert rules.issuer_violations("http://127.0.0.1:4010") == []
    assert rules.issuer_violations("http://localhost:8080/cas") == []
    for bad in ("http://sso.example.edu.cn", "ftp://x.example.org", "https://", "https://[::1",
                "https://x.example.org:port", "https://u:p@x.example.org", "https://x.example.org/?a=1"):  # fmt: skip
        assert [v.rule for v in rules.issuer_violations(bad)] == ["issuer"], bad


def test_an_assertion_takes_the_configured_claims_and_the_first_of_repeated_attributes() -> None:
    found = rules.assertion_from(
        " 20231001 ", {"mail": ["Li.Si@Ｅxample.EDU.cn", "other@x.org"], "cn": "李四", "uid": 1001},
        email_claim="mail", name_claim="cn", staff_number_claim="uid",
    )  # fmt: skip
    assert found == rules.Assertion("20231001", "li.si@example.edu.cn", "李四", "1001")
    assert rules.assertion_problem(found, ["example.edu.cn"]) is None
    assert rules.assertion_problem(found, []) is None
    assert rules.assertion_problem(found, ["other.edu.cn"]) is not None
    no_mail = rules.assertion_from(
        "x", {}, email_claim="mail", name_claim="", staff_number_claim=""
    )
    assert rules.assertion_problem(no_mail, []) is not None
    assert rules.display_name(no_mail) == ""
    assert rules.display_name(found) == "李四"
