import base64

import pytest
from django.db import connection

from sscard.core import crypto
from sscard.core.masking import mask_id_number
from sscard.testing.factories import PersonFactory


def test_a_value_round_trips_and_carries_the_current_key_id():
    token = crypto.encrypt("445202198805170031")

    assert token.startswith("t2$")
    assert "445202198805170031" not in token
    assert crypto.decrypt(token) == "445202198805170031"


def test_encrypting_the_same_value_twice_gives_different_ciphertexts():
    assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


def test_values_written_under_an_older_key_are_still_read_after_rotation(settings):
    old = crypto.encrypt("13812345678")
    settings.SSCARD_DATA_KEYS = [
        "t3:" + base64.b64encode(b"k" * 32).decode(),
        *settings.SSCARD_DATA_KEYS,
    ]

    assert crypto.decrypt(old) == "13812345678"
    assert crypto.key_id_of(crypto.encrypt("x")) == "t3"


def test_a_tampered_ciphertext_is_refused_not_misread():
    token = crypto.encrypt("445202198805170031")
    key_id, body = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 0x01
    tampered = key_id + "$" + base64.urlsafe_b64encode(bytes(raw)).decode()

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)


def test_an_unknown_key_id_is_refused():
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("nokey$AAAA")


def test_the_keyed_hash_depends_on_the_key_and_the_purpose(settings):
    first = crypto.blind_index("13812345678", purpose="phone")
    assert first == crypto.blind_index("13812345678", purpose="phone")
    assert first != crypto.blind_index("13812345678", purpose="identity")
    settings.SSCARD_INDEX_KEY = "another-key"
    assert first != crypto.blind_index("13812345678", purpose="phone")


@pytest.mark.django_db
def test_the_database_holds_no_plaintext_id_or_phone_number():
    person = PersonFactory(phone="13987654321")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_person WHERE id = %s", [person.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert person.doc_number not in row
    assert "13987654321" not in row
    assert mask_id_number(person.doc_number) not in row


@pytest.mark.django_db
def test_a_person_is_found_by_id_number_through_the_keyed_hash():
    from sscard.accounts.services import person_by_identity

    person = PersonFactory()

    assert person_by_identity("resident_id", person.doc_number) == person
    assert person_by_identity("household", person.doc_number) == person  # same citizen
    assert person_by_identity("resident_id", "445202198805170040") is None


@pytest.mark.django_db
def test_changing_a_phone_number_keeps_its_lookup_hash_in_step():
    from sscard.accounts.models import Person, phone_hash

    person = PersonFactory(phone="13800000001")
    person.phone = "13800000002"
    person.save(update_fields=["phone"])

    assert Person.objects.get(phone_hash=phone_hash("13800000002")) == person


def test_encrypted_fields_cannot_be_searched_by_value():
    from sscard.accounts.models import Person

    with pytest.raises(TypeError):
        Person.objects.filter(doc_number="445202198805170031")


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_column_does_not_decrypt_there():
    from sscard.accounts.models import Person

    person = PersonFactory(phone="13987654321")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_person SET address = phone WHERE id = %s", [person.pk])

    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)
