"""How the channels shape what they send: the robots' markdown bodies, SMTP URLs, Message-IDs,
and which channels the settings turn on (§17)."""

from __future__ import annotations

from datetime import datetime

import pytest

from application.ports import DeliveryFailed, OutgoingMessage
from infrastructure.channels import (
    MailServer,
    SmtpServer,
    channels_from_settings,
    message_id,
    robot_body,
)
from infrastructure.notification_feed import channels_of
from infrastructure.settings import Settings
from tests.support import START


def now() -> datetime:
    """The channels' clock (for the Date header)."""
    return START


def robot_message(url: str, text: str = "案件已超期，请尽快处理。") -> OutgoingMessage:
    return OutgoingMessage("webhook", url, "超期提醒", text, "key-1")


def test_a_wecom_robot_gets_its_markdown_content() -> None:
    body = robot_body(robot_message("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"))

    assert body == {
        "msgtype": "markdown",
        "markdown": {"content": "案件已超期，请尽快处理。"},
    }


def test_a_dingtalk_robot_gets_its_markdown_title_and_text() -> None:
    body = robot_body(robot_message("https://oapi.dingtalk.com/robot/send?access_token=x"))

    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": "超期提醒", "text": "案件已超期，请尽快处理。"},
    }


def test_any_other_robot_gets_both_shapes_at_once() -> None:
    markdown = robot_body(robot_message("http://10.0.0.5/robot"))["markdown"]

    assert set(markdown) == {"title", "text", "content"}
    assert markdown["text"] == markdown["content"]


def test_a_robot_message_too_long_for_wecom_is_cut_on_a_character() -> None:
    text = robot_body(robot_message("http://10.0.0.5/robot", "很长" * 3000))["markdown"]["text"]

    assert len(text.encode()) <= 4000
    assert text.endswith("…")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.gov.cn", ("mail.example.gov.cn", 25, False, False, None, None)),
        (
            "smtp://notify:p%40ss@mail.example.gov.cn:587?starttls=true",
            ("mail.example.gov.cn", 587, False, True, "notify", "p@ss"),
        ),
        ("smtps://u:pw@mail.example.gov.cn", ("mail.example.gov.cn", 465, True, False, "u", "pw")),
        (
            "smtps://mail.example.gov.cn:2465",
            ("mail.example.gov.cn", 2465, True, False, None, None),
        ),
    ],
)
def test_the_smtp_url_says_host_port_tls_and_login(url: str, expected: tuple[object, ...]) -> None:
    server = SmtpServer.from_url(url)

    assert (
        server.host,
        server.port,
        server.tls,
        server.starttls,
        server.user,
        server.password,
    ) == expected


def test_a_url_that_is_not_smtp_is_refused() -> None:
    with pytest.raises(ValueError, match="OVERSIGHT_SMTP_URL"):
        SmtpServer.from_url("http://mail.example.gov.cn")


def test_the_message_id_is_the_same_for_every_attempt_of_a_message_and_differs_between_two() -> (
    None
):
    first = message_id("outbox-1", "notify@zwfw.example.gov.cn")

    assert first == message_id("outbox-1", "notify@zwfw.example.gov.cn")
    assert first != message_id("outbox-2", "notify@zwfw.example.gov.cn")
    assert first.startswith("<")
    assert first.endswith("@zwfw.example.gov.cn>")


def test_an_email_has_a_chinese_subject_and_body_in_utf8() -> None:
    server = MailServer(SmtpServer.from_url("smtp://mail"), "notify@zwfw.example.gov.cn", now)

    mail = server.compose(OutgoingMessage("email", "a@b.cn", "新案件待处理", "请签收。", "k"))

    assert mail["Subject"] == "新案件待处理"
    assert "=?utf-8?" in mail.as_string()
    assert mail.get_content_charset() == "utf-8"
    assert mail["X-Idempotency-Key"] == "k"


def test_a_channel_is_on_only_when_its_settings_are_set() -> None:
    off = Settings(smtp_url="smtp://mail")  # e-mail wants a sender too
    on = Settings(
        sms_gateway_url="http://sms", smtp_url="smtp://mail", mail_from="notify@zwfw.example.gov.cn"
    )

    assert sorted(channels_from_settings(off, now)) == ["webhook"]
    assert sorted(channels_from_settings(on, now)) == ["email", "sms", "webhook"]


def test_the_feed_makes_messages_for_the_channels_the_sender_builds() -> None:
    for settings in (
        Settings(),
        Settings(sms_gateway_url="http://sms"),
        Settings(smtp_url="smtp://mail"),
        Settings(smtp_url="smtp://mail", mail_from="notify@zwfw.example.gov.cn"),
    ):
        made = channels_of(settings)
        built = channels_from_settings(settings, now)

        assert made.sms == ("sms" in built)
        assert made.email == ("email" in built)


def test_a_subject_with_line_breaks_goes_out_on_one_line() -> None:
    server = MailServer(SmtpServer.from_url("smtp://mail"), "notify@zwfw.example.gov.cn", now)

    mail = server.compose(OutgoingMessage("email", "a@b.cn", "新派单\r\nBcc: x@y.cn", "t", "k"))

    assert mail["Subject"] == "新派单 Bcc: x@y.cn"
    assert mail["Bcc"] is None


def test_an_address_no_mail_can_carry_fails_for_good_without_connecting() -> None:
    server = MailServer(
        SmtpServer.from_url("smtp://127.0.0.1:9"), "notify@zwfw.example.gov.cn", now
    )

    with pytest.raises(DeliveryFailed) as failed:
        server.deliver(OutgoingMessage("email", "a@b.cn\nBcc: x@y.cn", "s", "t", "k"))

    assert failed.value.permanent
