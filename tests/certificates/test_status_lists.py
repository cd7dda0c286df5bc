"""One status list, three kinds of reader: the W3C algorithm, Digital Bazaar's library and 1EdTech's validator."""

import json
import random

import pytest

from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from certificates.status_lists import (
    ENTRIES_PER_LIST,
    FIRST_PLACE,
    PLACES_PER_LIST,
    REVOKED,
    STATUS_SIZE,
    SUSPENDED,
    UNUSED,
    VALID,
    list_bits,
    status_list_url,
    status_messages,
    status_place,
)
from dataintegrity.bitstring import MIN_ENTRIES, decode_list, encode_list
from lms.roles import PROGRAMME_ADMIN
from tests.certificates.credential_kinds import certificate_issued, legacy_credential, signed
from tests.certificates.status_readers import (
    StatusReadError,
    digital_bazaar_bit,
    onedtech_probe,
    spec_message,
    spec_value,
)
from tests.factories import UserFactory, build_programme

ENTRY = {"statusPurpose": "message", "statusSize": STATUS_SIZE}
LAST_PLACE = FIRST_PLACE + PLACES_PER_LIST - 1


def published(values: dict[int, int]) -> dict:
    """A status list credential's subject as a verifier decodes it, for the given entry values."""
    return {"credentialSubject": {"statusPurpose": "message", "encodedList": encode_list(bytes(list_bits(values)))}}


def entry(index: int) -> dict:
    return {**ENTRY, "statusListIndex": str(index)}


def test_each_entry_reads_right_in_all_three_readers_wherever_it_sits():
    rng = random.Random(2024)
    places = {FIRST_PLACE, FIRST_PLACE + 1, FIRST_PLACE + 2, LAST_PLACE - 1, LAST_PLACE}
    places |= set(rng.sample(range(FIRST_PLACE, LAST_PLACE + 1), 3_000))
    values = {place: rng.choice([VALID, REVOKED, SUSPENDED]) for place in sorted(places)}
    status_list = published({place: value for place, value in values.items() if value != VALID})
    for place, value in values.items():
        assert spec_value(status_list, entry(place)) == value, place
        assert digital_bazaar_bit(status_list, entry(place)) is (value != VALID), place
        assert onedtech_probe(status_list, entry(place)) == ("revoked" if value != VALID else "not revoked"), place
    untouched = [place for place in range(FIRST_PLACE, LAST_PLACE + 1, 97) if place not in values]
    assert all(spec_value(status_list, entry(place)) == VALID for place in untouched)


def test_the_spec_reader_names_each_value_by_the_entry_s_status_message():
    status_list = published({FIRST_PLACE: REVOKED, FIRST_PLACE + 1: SUSPENDED, FIRST_PLACE + 2: UNUSED})
    named = [{**entry(FIRST_PLACE + offset), "statusMessage": status_messages()} for offset in range(4)]
    assert [spec_message(status_list, one) for one in named] == ["revoked", "suspended", "unused", "valid"]


def test_the_layout_fits_every_reader_s_limits():
    status_list = published({LAST_PLACE: SUSPENDED})
    bits = decode_list(status_list["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == ENTRIES_PER_LIST * STATUS_SIZE == 2_097_152
    assert len(bits) * 8 // STATUS_SIZE >= MIN_ENTRIES  # the spec's minimum entries, read two bits at a time
    assert len(status_list["credentialSubject"]["encodedList"]) < 1_000  # 256 KiB compresses to a few hundred bytes
    assert len(bits) > LAST_PLACE * STATUS_SIZE  # 1EdTech's check against the length in bytes passes for the last place
    with pytest.raises(StatusReadError, match="outside of the range"):
        onedtech_probe(status_list, entry(LAST_PLACE + 1))  # which is why no certificate sits above it
    with pytest.raises(ValueError, match="outside the places"):
        list_bits({FIRST_PLACE - 1: REVOKED})  # bit i of a list belongs to the places below, never handed out
    with pytest.raises(ValueError, match="outside the places"):
        list_bits({LAST_PLACE + 1: REVOKED})
    assert spec_value(published({FIRST_PLACE: UNUSED}), entry(FIRST_PLACE)) == UNUSED


def test_status_index_maps_to_one_place_in_one_list_and_never_two_to_the_same():
    indexes = [0, 1, PLACES_PER_LIST - 1, PLACES_PER_LIST, 5 * PLACES_PER_LIST + 7, 131_071, 131_072]
    places = [status_place(index) for index in indexes]
    assert len(set(places)) == len(indexes)
    assert places[:4] == [(1, FIRST_PLACE), (1, FIRST_PLACE + 1), (1, LAST_PLACE), (2, FIRST_PLACE)]
    assert all(FIRST_PLACE <= place <= LAST_PLACE for _, place in places)


@pytest.mark.django_db
def test_every_reader_follows_a_certificate_through_suspension_reinstatement_and_revocation(client):
    build_programme()
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    certificate = certificate_issued()
    credential_entry = signed(certificate)["credentialStatus"]

    def readings():
        response = client.get(credential_entry["statusListCredential"].removeprefix("http://127.0.0.1:8000"))
        status_list = json.loads(response.content)
        return (
            spec_message(status_list, credential_entry),
            digital_bazaar_bit(status_list, credential_entry),
            onedtech_probe(status_list, credential_entry),
        )

    assert readings() == ("valid", False, "not revoked")
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert readings() == ("suspended", True, "revoked")
    certificate_reinstate(by=admin, certificate=certificate)
    assert readings() == ("valid", False, "not revoked")
    newer = certificate_reissue(by=admin, certificate=certificate, holder_name="A. N. Other", reason="Name.")
    assert readings() == ("revoked", True, "revoked")  # the old name's credential
    newer_entry = signed(newer)["credentialStatus"]
    certificate_revoke(by=admin, certificate=newer, reason="Not supervised.")
    credential_entry = newer_entry
    assert readings() == ("revoked", True, "revoked")


@pytest.mark.django_db
def test_published_lists_hold_at_least_the_spec_minimum_whatever_the_database_holds(client):
    build_programme()
    certificates = [certificate_issued() for _ in range(3)]
    moved = {0: 0, 1: 3 * PLACES_PER_LIST + 5, 2: 2 * 131_072 + 9}  # a certificate in list 4, one in legacy list 3
    for number, status_index in moved.items():
        type(certificates[number]).objects.filter(pk=certificates[number].pk).update(status_index=status_index)
        certificates[number].refresh_from_db()
    for certificate in certificates:
        credential = signed(certificate)
        list_number, index = status_place(certificate.status_index)
        assert credential["credentialStatus"]["statusListCredential"] == status_list_url(list_number)
    lists = {status_place(index)[0] for index in moved.values()}
    for list_number in range(1, max(lists) + 1):
        listed = json.loads(client.get(f"/credentials/status/{list_number}.json").content)
        bits = decode_list(listed["credentialSubject"]["encodedList"])
        assert len(bits) * 8 // STATUS_SIZE >= MIN_ENTRIES, list_number
        assert len(bits) * 8 >= MIN_ENTRIES, list_number  # read one bit at a time too
    for list_number in range(1, 4):
        for purpose in ("revocation", "suspension"):
            listed = json.loads(client.get(f"/credentials/status/{list_number}/{purpose}.json").content)
            assert len(decode_list(listed["credentialSubject"]["encodedList"])) * 8 >= MIN_ENTRIES


@pytest.mark.django_db
def test_a_legacy_credential_is_still_read_from_the_per_purpose_lists(client):
    build_programme()
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    certificate = certificate_issued()
    revocation, suspension = legacy_credential(certificate)["credentialStatus"]

    def readings():
        return tuple(
            digital_bazaar_bit(
                json.loads(client.get(entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")).content),
                entry,
            )
            for entry in (revocation, suspension)
        )

    assert readings() == (False, False)
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert readings() == (False, True)
    certificate_reinstate(by=admin, certificate=certificate)
    certificate_revoke(by=admin, certificate=certificate, reason="Not supervised.")
    assert readings() == (True, False)
