"""Phone numbers: E.164 and masking."""

import pytest

from bot.core.phone import mask, to_e164


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+32 470 12 34 56", "+32470123456"),
        ("", None),
        ("pas un numéro", None),
        ("12", None),
        (None, None),
    ],
)
def test_to_e164(raw, e164):
    assert to_e164(raw) == e164


def test_mask_hides_all_but_the_last_digits():
    assert mask("+33612345678") == "+33•••••••78"
    assert "1234" not in mask("+33612345678")
    assert mask(None) == "" and mask("+331") == "••"
