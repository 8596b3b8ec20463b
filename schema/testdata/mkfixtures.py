#!/usr/bin/env python3
"""Regenerates schema/testdata/{valid,invalid}: one folder per finding code.

Each invalid case is the minimal valid case with one change. want.json names
the code, the JSON pointer and the line the finding must carry. The line is
found here independently of casepack: the value at the pointer is replaced by
a sentinel, the case is dumped, and the sentinel's line is the answer.
Run from the repository root: python3 schema/testdata/mkfixtures.py
"""
import copy, hashlib, json, os, shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))
TEXT = b"SYNTHETIC STAND-IN: a transcript of nothing. Not real evidence.\n"
SHA = hashlib.sha256(TEXT).hexdigest()

BASE = {
    "schema_version": "1.0",
    "submission": {
        "id": "FIX-001", "title": "Fixture case", "kind": "art15_communication",
        "date": "2021-02-18", "version": "1", "classification": "confidential",
        "languages": ["en"],
        "sender": {"organisation": "Sample Org", "contact_person": "Sample Contact", "email": "contact@example.org"},
        "recipient": {"body": "Office of the Prosecutor", "situation_code": "ICC-02/18", "situation_name": "Venezuela I"},
    },
    "analysis": {"summary": "Victim 01 was killed [EV-0001]."},
    "incidents": [{
        "id": "INC-01", "title": "Operation", "start": "2021-01-06", "end": "2021-01-09",
        "location": {"country": "VE", "parish": "La Vega"}, "description": "A police operation [EV-0001].",
        "victim_ids": ["V-01"], "unit_ids": ["U-FAES"], "evidence_ids": ["EV-0001"],
    }],
    "persons": [
        {"id": "V-01", "pseudonym": "Victim 01", "roles": ["victim"], "sex": "male", "age": 24, "minor": False,
         "consent_ids": ["C-01"],
         "death": {"date": "2021-01-08", "incident_id": "INC-01", "manner": "homicide"}},
        {"id": "E-01", "pseudonym": "Expert 01", "roles": ["expert"]},
    ],
    "units": [{"id": "U-FAES", "name": "Fuerzas de Acciones Especiales", "acronym": "FAES", "type": "police"}],
    "evidence": [{
        "id": "EV-0001", "title": "Transcript", "type": "testimony", "classification": "confidential",
        "files": [{"path": "evidence/transcript.txt", "role": "transcript", "sha256": SHA}],
        "consent_ids": ["C-01"],
        "custody": [
            {"at": "2021-01-10T10:00:00Z", "actor": "Collector 01", "action": "captured"},
            {"at": "2021-01-10T11:00:00Z", "actor": "Collector 01", "action": "hashed", "sha256": SHA},
        ],
    }],
    "consents": [{"id": "C-01", "person_id": "V-01", "date": "2021-01-20", "method": "written", "scope": ["record", "share_icc"]}],
}

SENTINEL = "@@SENTINEL@@"

def tokens(ptr):
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.split("/")[1:]]

def get_parent(doc, ptr):
    toks = tokens(ptr)
    cur = doc
    for t in toks[:-1]:
        cur = cur[int(t)] if isinstance(cur, list) else cur[t]
    last = toks[-1]
    return cur, (int(last) if isinstance(cur, list) else last)

def line_of(doc, ptr, key=False):
    d = copy.deepcopy(doc)
    if key:  # the member name's line
        parent, k = get_parent(d, ptr)
        parent[SENTINEL] = parent.pop(k)
        text = json.dumps(d, indent=2, ensure_ascii=False)
        for i, l in enumerate(text.split("\n"), 1):
            if '"' + SENTINEL + '"' in l:
                return i
    if ptr == "":
        return 1
    parent, k = get_parent(d, ptr)
    parent[k] = SENTINEL
    text = json.dumps(d, indent=2, ensure_ascii=False)
    for i, l in enumerate(text.split("\n"), 1):
        if SENTINEL in l:
            return i
    raise SystemExit("sentinel not found for " + ptr)

def write_case(folder, doc, files=None):
    os.makedirs(os.path.join(folder, "evidence"), exist_ok=True)
    with open(os.path.join(folder, "evidence", "transcript.txt"), "wb") as f:
        f.write(TEXT)
    for name, data in (files or {}).items():
        p = os.path.join(folder, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    with open(os.path.join(folder, "case.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

def fixture(name, mutate, code, ptr, key=False, files=None, line_ptr=None):
    doc = copy.deepcopy(BASE)
    mutate(doc)
    folder = os.path.join(ROOT, "invalid", name)
    write_case(folder, doc, files)
    line = line_of(doc, line_ptr if line_ptr is not None else ptr, key)
    with open(os.path.join(folder, "want.json"), "w") as f:
        json.dump({"code": code, "pointer": ptr, "line": line}, f, indent=2)
        f.write("\n")

def raw_fixture(name, text, code, ptr, line):
    folder = os.path.join(ROOT, "invalid", name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "case.json"), "wb") as f:
        f.write(text)
    with open(os.path.join(folder, "want.json"), "w") as f:
        json.dump({"code": code, "pointer": ptr, "line": line}, f, indent=2)
        f.write("\n")

def setp(ptr, value):
    def m(doc):
        parent, k = get_parent(doc, ptr)
        parent[k] = value
    return m

def delp(ptr):
    def m(doc):
        parent, k = get_parent(doc, ptr)
        del parent[k]
    return m

def chain(*ms):
    def m(doc):
        for x in ms:
            x(doc)
    return m

for d in ("valid", "invalid"):
    shutil.rmtree(os.path.join(ROOT, d), ignore_errors=True)
write_case(os.path.join(ROOT, "valid", "minimal"), BASE)
TRANSLATED = dict(copy.deepcopy(BASE), translations=[
    {"language": "fr", "pointer": "/analysis/summary", "text": "Victime 01 a été tuée [EV-0001]."},
    {"language": "es", "pointer": "/analysis/summary", "text": "La víctima 01 fue asesinada [EV-0001]."},
    {"language": "fr", "pointer": "/incidents/0/title", "text": "Opération"},
    {"language": "fr-CA", "pointer": "/incidents/0/description", "text": "Une opération de police [EV-0001]."},
])
write_case(os.path.join(ROOT, "valid", "translations"), TRANSLATED)

base_text = (json.dumps(BASE, indent=2, ensure_ascii=False) + "\n").encode()
# Raw JSON problems: the loader stops at them.
raw_fixture("CP-JSON-SYNTAX_missing-comma", base_text.replace(b'"title": "Fixture case",', b'"title": "Fixture case"', 1),
            "CP-JSON-SYNTAX", "/submission", 6)
raw_fixture("CP-JSON-DUPKEY_title-twice", base_text.replace(b'"title": "Fixture case",', b'"title": "Fixture case",\n    "title": "Edited title",', 1),
            "CP-JSON-DUPKEY", "/submission/title", 6)
raw_fixture("CP-JSON-UTF8_latin1", base_text.replace(b'"La Vega"', '"La Vega, Caracas, Distrito Capital ñ"'.encode("latin-1"), 1),
            "CP-JSON-UTF8", "", line_of(BASE, "/incidents/0/location/parish"))
raw_fixture("CP-JSON-TRAILING_two-objects", base_text + b"{}\n", "CP-JSON-TRAILING", "", base_text.count(b"\n") + 1)
raw_fixture("CP-JSON-DEPTH_deep-nesting", b'{"schema_version": "1.0", "analysis": ' + b"[" * 70 + b"]" * 70 + b"}\n",
            "CP-JSON-DEPTH", "/analysis" + "/0" * 64, 1)

fixture("CP-SCHEMA-REQUIRED_no-title", delp("/submission/title"), "CP-SCHEMA-REQUIRED", "/submission")
fixture("CP-SCHEMA-UNKNOWN_typo", chain(delp("/submission/title"), setp("/submission/titel", "Fixture case")),
        "CP-SCHEMA-UNKNOWN", "/submission/titel", key=True)
fixture("CP-SCHEMA-TYPE_age-in-words", setp("/persons/0/age", "24 years"), "CP-SCHEMA-TYPE", "/persons/0/age")
fixture("CP-SCHEMA-ENUM_kind", setp("/submission/kind", "communication"), "CP-SCHEMA-ENUM", "/submission/kind")
fixture("CP-SCHEMA-FORMAT_email", setp("/submission/sender/email", "contact at example.org"), "CP-SCHEMA-FORMAT", "/submission/sender/email")
fixture("CP-SCHEMA-PATTERN_evidence-id", setp("/incidents/0/evidence_ids/0", "EV-1"), "CP-SCHEMA-PATTERN", "/incidents/0/evidence_ids/0")
fixture("CP-SCHEMA-RANGE_negative-age", setp("/persons/0/age", -3), "CP-SCHEMA-RANGE", "/persons/0/age")
fixture("CP-SCHEMA-LENGTH_empty-summary", setp("/analysis/summary", ""), "CP-SCHEMA-LENGTH", "/analysis/summary")
fixture("CP-SCHEMA-UNIQUE_victim-twice", setp("/incidents/0/victim_ids", ["V-01", "V-01"]), "CP-SCHEMA-UNIQUE", "/incidents/0/victim_ids/1")
fixture("CP-ID-DUPLICATE_two-incidents", lambda d: d["incidents"].append(dict(copy.deepcopy(d["incidents"][0]), title="Copy")),
        "CP-ID-DUPLICATE", "/incidents/1/id")
fixture("CP-REF-DANGLING_evidence", setp("/incidents/0/evidence_ids", ["EV-0001", "EV-0002"]), "CP-REF-DANGLING", "/incidents/0/evidence_ids/1")
fixture("CP-REF-ROLE_expert-as-victim", setp("/incidents/0/victim_ids", ["V-01", "E-01"]), "CP-REF-ROLE", "/incidents/0/victim_ids/1")
fixture("CP-CITE-DANGLING_summary", setp("/analysis/summary", "Victim 01 was killed [EV-0001] [EV-0007]."), "CP-CITE-DANGLING", "/analysis/summary")
fixture("CP-CITE-DANGLING_authority", setp("/analysis/summary", "Victim 01 was killed [EV-0001], murder under [RS art. 7(1)(a)]."), "CP-CITE-DANGLING", "/analysis/summary")
fixture("CP-CITE-LOCATOR_timecode", setp("/analysis/summary", "Victim 01 was killed [EV-0001 @ 1:75]."), "CP-CITE-LOCATOR", "/analysis/summary")
fixture("CP-CITE-PINPOINT_page-past-end", lambda d: (d["evidence"][0]["files"][0].__setitem__("pages", 2), d["analysis"].__setitem__("summary", "Victim 01 was killed [EV-0001 p. 9].")), "CP-CITE-PINPOINT", "/analysis/summary")
fixture("CP-TEXT-HTML_script", setp("/analysis/summary", "Victim 01 was killed [EV-0001]. <script>alert(1)</script>"), "CP-TEXT-HTML", "/analysis/summary")
fixture("CP-DATE-INVALID_february-30", setp("/incidents/0/start", "2021-02-30"), "CP-DATE-INVALID", "/incidents/0/start")
fixture("CP-DATE-ORDER_end-before-start", setp("/incidents/0/end", "2021-01-05"), "CP-DATE-ORDER", "/incidents/0/end")
fixture("CP-CUSTODY-ORDER_backwards", setp("/evidence/0/custody/1/at", "2021-01-10T09:00:00Z"), "CP-CUSTODY-ORDER", "/evidence/0/custody/1/at")
fixture("CP-MINOR-AGE_seventeen-not-minor", setp("/persons/0/age", 17), "CP-MINOR-AGE", "/persons/0/minor")
fixture("CP-DEATH-OUTSIDE_march", setp("/persons/0/death/date", "2021-03-01"), "CP-DEATH-OUTSIDE", "/persons/0/death/date")
fixture("CP-FILE-MISSING_typo", setp("/evidence/0/files/0/path", "evidence/transcrpt.txt"), "CP-FILE-MISSING", "/evidence/0/files/0/path")
fixture("CP-FILE-NOT-REGULAR_folder", chain(setp("/evidence/0/files/0/path", "evidence"), delp("/evidence/0/files/0/sha256")),
        "CP-FILE-NOT-REGULAR", "/evidence/0/files/0/path")
fixture("CP-PATH-UNSAFE_dotdot", setp("/evidence/0/files/0/path", "../x/transcript.txt"), "CP-PATH-UNSAFE", "/evidence/0/files/0/path")
fixture("CP-PATH-UNSAFE_absolute", setp("/evidence/0/files/0/path", "/etc/passwd"), "CP-PATH-UNSAFE", "/evidence/0/files/0/path")
fixture("CP-PATH-NONPORTABLE_colon", setp("/evidence/0/files/0/path", "evidence/08:30 transcript.txt"), "CP-PATH-NONPORTABLE", "/evidence/0/files/0/path")
fixture("CP-PATH-SYMLINK_outside", chain(setp("/evidence/0/files/0/path", "evidence/link.txt"), delp("/evidence/0/files/0/sha256")),
        "CP-PATH-SYMLINK", "/evidence/0/files/0/path")
os.symlink("../../../../../go.mod", os.path.join(ROOT, "invalid", "CP-PATH-SYMLINK_outside", "evidence", "link.txt"))
fixture("CP-FILE-CLASH_same-name", lambda d: d["evidence"][0]["files"].append({"path": "evidence/other/Transcript.txt", "role": "translation"}),
        "CP-FILE-CLASH", "/evidence/0/files/1/path", files={"evidence/other/Transcript.txt": TEXT})
fixture("CP-PATH-PERCENT_name", chain(setp("/evidence/0/files/0/path", "evidence/100% transcript.txt"), delp("/evidence/0/files/0/sha256")),
        "CP-PATH-PERCENT", "/evidence/0/files/0/path", files={"evidence/100% transcript.txt": TEXT})
fixture("CP-HASH-MISMATCH_edited", setp("/evidence/0/files/0/sha256", hashlib.sha256(b"original bytes").hexdigest()),
        "CP-HASH-MISMATCH", "/evidence/0/files/0/sha256")
fixture("CP-EVIDENCE-UNCITED_second-item", lambda d: d["evidence"].append(dict(copy.deepcopy(d["evidence"][0]), id="EV-0002", title="Uncited")),
        "CP-EVIDENCE-UNCITED", "/evidence/1/id")
fixture("CP-CONSENT-SCOPE_record-only", setp("/consents/0/scope", ["record"]), "CP-CONSENT-SCOPE", "/evidence/0/consent_ids/0")
def translation(t):
    def m(doc):
        doc.setdefault("translations", []).append(t)
    return m
fixture("CP-TRANSLATION-TARGET_no-such-item", translation({"language": "fr", "pointer": "/evidence/3/description", "text": "Rien."}),
        "CP-TRANSLATION-TARGET", "/translations/0/pointer")
fixture("CP-TRANSLATION-TARGET_no-such-field", translation({"language": "fr", "pointer": "/analysis/sumary", "text": "Rien."}),
        "CP-TRANSLATION-TARGET", "/translations/0/pointer")
fixture("CP-TRANSLATION-NOT-TEXT_date", translation({"language": "fr", "pointer": "/incidents/0/start", "text": "6 janvier 2021"}),
        "CP-TRANSLATION-NOT-TEXT", "/translations/0/pointer")
fixture("CP-TRANSLATION-NOT-TEXT_protected", chain(setp("/persons/0/protected", {"full_name": "Sample Name"}),
        translation({"language": "fr", "pointer": "/persons/0/protected/full_name", "text": "Sample Name"})),
        "CP-TRANSLATION-NOT-TEXT", "/translations/0/pointer")
fixture("CP-TRANSLATION-LINE_title", translation({"language": "fr", "pointer": "/incidents/0/title", "text": "Opération\nde police"}),
        "CP-TRANSLATION-LINE", "/translations/0/text")
fixture("CP-TRANSLATION-DUPLICATE_twice", chain(translation({"language": "fr", "pointer": "/analysis/summary", "text": "Un."}),
        translation({"language": "fr-FR", "pointer": "/analysis/summary", "text": "Deux."})),
        "CP-TRANSLATION-DUPLICATE", "/translations/1")
fixture("CP-TRANSLATION-LANGUAGE_english", translation({"language": "en", "pointer": "/analysis/summary", "text": "Victim 01 died."}),
        "CP-TRANSLATION-LANGUAGE", "/translations/0/language")
# The checklist (validate reports it; the fixture test asks for it on CP-CHECK- folders).
def crime(el):
    return setp("/incidents/0/characterisation", [{"article": "7(1)(a)", "label": "Murder as a crime against humanity", "elements": [el]}])
fixture("CP-CHECK-UNARGUED_element", crime({"element": "The perpetrator killed one or more persons."}),
        "CP-CHECK-UNARGUED", "/incidents/0/characterisation/0/elements/0")
fixture("CP-CHECK-UNSUPPORTED_no-citation", crime({"element": "The perpetrator killed one or more persons.", "argument": "Police shot him."}),
        "CP-CHECK-UNSUPPORTED", "/incidents/0/characterisation/0/elements/0")
fixture("CP-CHECK-UNVERIFIED_testimony-only", crime({"element": "The perpetrator killed one or more persons.", "argument": "Police shot him [EV-0001]."}),
        "CP-CHECK-UNVERIFIED", "/incidents/0/characterisation/0/elements/0")
fixture("CP-CHECK-LIABILITY_none", lambda d: d["persons"].append({"id": "AP-01", "pseudonym": "Person of interest 01", "roles": ["alleged_perpetrator"], "identification": "by_role"}),
        "CP-CHECK-LIABILITY", "/persons/2")
fixture("CP-CHECK-DEATH_no-evidence", lambda d: None, "CP-CHECK-DEATH", "/persons/0/death")
print("fixtures written")
