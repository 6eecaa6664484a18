"""The demo clinic's people: names and intake documents for simulated patients.

Everything here is drawn from a seeded NumPy generator, so the same seed gives the same people.
A simulated patient (a row of `ketacare.simulation`'s ``patients`` table) becomes a
`Registration` and an intake document whose questionnaires add up to the simulated baselines.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from ketacare.services.patients import Registration

GIVEN_F = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Emily", "Ella", "Chloe", "Grace", "Zoe", "Nora", "Lily", "Hannah", "Layla", "Priya",
    "Fatima", "Mei", "Sofia", "Camila", "Valeria", "Naomi", "Ruth", "Clara", "Ines", "Leah",
)  # fmt: skip
GIVEN_M = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry",
    "Theo", "Jack", "Levi", "Mateo", "Ethan", "Samuel", "David", "Joseph", "Owen", "Wyatt",
    "Ravi", "Omar", "Hiro", "Diego", "Andre", "Kofi", "Luca", "Tomas", "Felix", "Isaac", "Marcus",
)  # fmt: skip
FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Kim", "Shah", "Okafor", "Cohen",
)  # fmt: skip
ESCORTS = ("partner", "spouse", "sister", "brother", "friend", "parent", "adult child")
_SSRI_TRIALS = (
    ("sertraline", 150.0),
    ("escitalopram", 20.0),
    ("fluoxetine", 40.0),
    ("venlafaxine", 225.0),
    ("duloxetine", 60.0),
)


def registration_for(
    row: Any, rng: np.random.Generator, today: date, used: set[str]
) -> Registration:
    """A registration for simulated patient `row` (age, sex, weight and height from the row);
    `used` collects full names so that no two demo patients share one."""
    female = str(row.sex) == "F"
    while True:
        given = str(rng.choice(GIVEN_F if female else GIVEN_M))
        family = str(rng.choice(FAMILY))
        if f"{given} {family}" not in used:
            used.add(f"{given} {family}")
            break
    age_days = int(float(row.age_years) * 365.25)
    born = today - timedelta(days=age_days)
    escort = str(rng.choice(GIVEN_M if female else GIVEN_F))
    number = int(rng.integers(1000, 9999))
    return Registration(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex="female" if female else "male",
        email=f"{given.lower()}.{family.lower()}@patient.example",
        phone=f"(617) 555-{number:04d}",
        address=f"{int(rng.integers(1, 400))} {rng.choice(FAMILY)!s} Street, Boston, MA",
        emergency_contact_name=f"{escort} {family}",
        emergency_contact_phone=f"(617) 555-{(number + 17) % 10000:04d}",
        emergency_contact_relationship=str(rng.choice(ESCORTS)),
        usual_escort_name=f"{escort} {family}",
        usual_escort_phone=f"(617) 555-{(number + 17) % 10000:04d}",
        weight_kg=round(float(row.weight_kg), 1),
        height_cm=round(float(row.height_cm), 1),
    )


def answers_for(total: int, items: int, top: int, rng: np.random.Generator) -> list[int]:
    """`items` answers between 0 and `top` that add up to `total` (spread at random)."""
    total = max(0, min(total, items * top))
    answers = [0] * items
    for _ in range(total):
        open_items = [i for i in range(items) if answers[i] < top]
        answers[int(rng.choice(open_items))] += 1
    return answers


def phq9_answers(total: int, rng: np.random.Generator, *, item9: int = 0) -> list[int]:
    """PHQ-9 answers adding up to `total`, with item 9 (thoughts of self-harm) set to `item9`."""
    rest = answers_for(max(0, total - item9), 8, 3, rng)
    return [*rest, item9]


def intake_document(row: Any, rng: np.random.Generator) -> dict[str, Any]:
    """An intake matching the simulated covariates: GAD (every demo patient is treated for
    anxiety), MDD when depressed, PTSD when the row has it; two failed antidepressant trials in
    the current episode (treatment resistance); resting blood pressure from the row."""
    diagnoses = ["gad"]
    if bool(row.comorbid_depression):
        diagnoses.append("mdd")
    if bool(row.comorbid_ptsd):
        diagnoses.append("ptsd")
    picks = rng.choice(len(_SSRI_TRIALS), size=2, replace=False)
    trials = [
        {
            "kind": "drug",
            "name": _SSRI_TRIALS[int(i)][0],
            "weeks": float(rng.integers(8, 16)),
            "outcome": "failed" if k == 0 else str(rng.choice(["failed", "partial"])),
            "daily_dose_mg": _SSRI_TRIALS[int(i)][1],
        }
        for k, i in enumerate(picks)
    ]
    systolic, diastolic = int(row.systolic_baseline_mmhg), int(row.diastolic_baseline_mmhg)
    document: dict[str, Any] = {
        "diagnoses": diagnoses,
        "medical_history": str(
            rng.choice(["none", "asthma", "migraine", "hypothyroidism (treated)"])
        ),
        "psychiatric_history": f"anxiety for {float(row.illness_duration_years):.0f} years",
        "conditions": [],
        "medications": [],
        "prior_trials": trials,
        "substance_use": {"alcohol_units_per_week": int(rng.integers(0, 8))},
        "pregnancy_status": "not_pregnant" if str(row.sex) == "F" else "not_applicable",
        "resting_bp": [
            {"systolic_mmhg": min(systolic, 138), "diastolic_mmhg": min(diastolic, 88)},
        ],
        "gad7": answers_for(int(row.gad7_baseline), 7, 3, rng),
        "phq9": phq9_answers(int(row.phq9_baseline), rng),
    }
    if bool(row.comorbid_ptsd) or int(row.pcl5_baseline) >= 33:
        document["pcl5"] = answers_for(int(row.pcl5_baseline), 20, 4, rng)
    return document
