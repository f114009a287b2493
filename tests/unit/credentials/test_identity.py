"""Who a record belongs to: OB 3.0 IdentityObjects for the holder's name and student number, in
clear or as salted hashes (sha256 of value + salt, 'sha256$' prefix), and checking a typed value
against them whatever its case, spacing or Unicode composition."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from mooc.credentials.core.identity import (
    NAME,
    STUDENT_ID,
    check_identity,
    hashed_types,
    identity_hash,
    person_identities,
    shown_identities,
)

SALT = "0123456789abcdef0123"


def test_the_identity_hash_is_the_ob3_one() -> None:
    # The example of the OB 3.0 IdentityHash definition: 'a@example.com' salted with 'Kosher'.
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_university_identities_are_in_clear_and_school_ones_hashed() -> None:
    clear = [
        i.to_json() for i in person_identities("Lò  Thị Mai", "2024-0517", in_clear=True, salt=SALT)
    ]
    assert clear == [
        {
            "type": "IdentityObject",
            "identityHash": "Lò Thị Mai",
            "identityType": NAME,
            "hashed": False,
        },
        {
            "type": "IdentityObject",
            "identityHash": "2024-0517",
            "identityType": STUDENT_ID,
            "hashed": False,
        },
    ]
    hashed = [i.to_json() for i in person_identities("Lò Thị Mai", None, in_clear=False, salt=SALT)]
    expected = "sha256$" + hashlib.sha256(("lò thị mai" + SALT).encode()).hexdigest()
    assert hashed == [
        {
            "type": "IdentityObject",
            "identityHash": expected,
            "identityType": NAME,
            "hashed": True,
            "salt": SALT,
        }
    ]
    assert "Mai" not in str(hashed)


def test_a_typed_name_is_checked_against_the_hash_whatever_its_form() -> None:
    subject = {
        "identifier": [
            i.to_json()
            for i in person_identities("Lò Thị Mai", "SV-0517", in_clear=False, salt=SALT)
        ]
    }
    assert hashed_types(subject) == (NAME, STUDENT_ID)
    assert shown_identities(subject) == {}
    decomposed = unicodedata.normalize("NFD", "  LÒ   thị MAI ")
    assert check_identity(subject, NAME, decomposed) == "match"
    assert check_identity(subject, NAME, "Lò Thị Mây") == "no-match"
    assert check_identity(subject, STUDENT_ID, "sv-0517") == "match"
    assert check_identity({"identifier": []}, NAME, "Lò Thị Mai") == "absent"


def test_a_name_in_clear_is_shown_and_checked() -> None:
    subject = {
        "identifier": [
            i.to_json() for i in person_identities("Trần An", None, in_clear=True, salt=SALT)
        ]
    }
    assert shown_identities(subject) == {NAME: "Trần An"}
    assert hashed_types(subject) == ()
    assert check_identity(subject, NAME, "trần an") == "match"


def test_person_identities_need_a_value_and_a_real_salt() -> None:
    assert person_identities("  ", None, in_clear=True, salt=SALT) == ()
    with pytest.raises(ValueError, match="salt"):
        person_identities("An", None, in_clear=False, salt="short")
