"""The notebooks' exercises: every one is in a notebook, hidden where it should be, and checked against its reference."""

import json

import numpy as np
import pytest

from mmlab.lab.exercises import EXERCISES, check_answer
from mmlab.lab.runner import NOTEBOOK_DIR, STUDY_NOTEBOOKS


def exercise_cells(name: str) -> dict[str, list[dict]]:
    cells = json.loads((NOTEBOOK_DIR / name).read_text())["cells"]
    tagged = {"exercise-check": [], "solution": []}
    for cell in cells:
        for tag in cell["metadata"].get("tags", []):
            if tag in tagged:
                tagged[tag].append(cell)
    return tagged


@pytest.mark.parametrize("name", STUDY_NOTEBOOKS)
def test_notebook_opens_with_goals_and_time_and_ends_with_exercises(name):
    cells = json.loads((NOTEBOOK_DIR / name).read_text())["cells"]
    opening = "".join(cells[0]["source"])
    assert "**Learning goals.**" in opening and "quick profile" in opening and "full profile" in opening
    tagged = exercise_cells(name)
    assert 2 <= len(tagged["exercise-check"]) <= 3
    assert len(tagged["solution"]) == len(tagged["exercise-check"])
    for cell in tagged["exercise-check"] + tagged["solution"]:
        assert cell["metadata"]["jupyter"]["source_hidden"] is True
    number = name[:2]
    for k, (check, solution) in enumerate(zip(tagged["exercise-check"], tagged["solution"]), start=1):
        assert f'check_answer("{number}.{k}", answer_{k}' in "".join(check["source"])
        assert f'check_answer("{number}.{k}", answer_{k}, solution=True' in "".join(solution["source"])


def test_every_exercise_is_in_its_notebook():
    used = {f"{name[:2]}.{k}" for name in STUDY_NOTEBOOKS for k in range(1, len(exercise_cells(name)["solution"]) + 1)}
    assert used == set(EXERCISES)


def test_light_travel_times_are_the_published_ones():
    # Abbott et al. 2016 (PRL 116 061102): up to 10 ms between the LIGO sites; LIGO-Virgo: 27 ms between H1 and V1.
    assert EXERCISES["00.1"].reference() == pytest.approx(10.01, abs=0.01)
    assert EXERCISES["06.1"].reference() == pytest.approx(27.3, abs=0.05)


def test_the_sine_gaussian_reference_meets_the_white_noise_closed_form():
    # Against the analytic A sqrt(sqrt(pi) tau (1 - exp(-Q^2)) / S0) at 150 Hz, where aLIGO's PSD is close to flat over
    # the signal's band, the reference must agree to the PSD's variation across f0 +- f0/Q.
    from mmlab.gw.psd import design_psd

    tau = 9.0 / (2 * np.pi * 150.0)
    closed_form = 1e-21 * np.sqrt(np.sqrt(np.pi) * tau * (1 - np.exp(-81.0)) / design_psd("aLIGO", 150.0))
    assert EXERCISES["01.2"].reference() == pytest.approx(closed_form, rel=0.03)


def test_the_sis_einstein_radius_follows_the_formula():
    import astropy.units as u
    from astropy.constants import c
    from astropy.cosmology import Planck18

    ratio = 1 - Planck18.comoving_distance(0.5) / Planck18.comoving_distance(2.0)  # D_ls / D_s in a flat universe
    by_hand = (4 * np.pi * (250 * u.km / u.s / c) ** 2 * ratio * u.rad).to_value(u.arcsec)
    assert EXERCISES["09.1"].reference() == pytest.approx(by_hand, rel=1e-3)


def test_the_fom_reference_is_kessler_s():
    # Two SN Ia called right, one missed, one non-Ia called Ia: efficiency 2/3, FoM 2/3 * 2 / (2 + 3) = 0.2667.
    probabilities = np.array([[0.1, 0.9], [0.2, 0.8], [0.9, 0.1], [0.3, 0.7], [0.8, 0.2]])
    assert EXERCISES["07.1"].reference(probabilities=probabilities, truth=[1, 1, 1, 0, 0]) == pytest.approx(4 / 15)


def test_a_right_answer_passes_and_a_wrong_one_gets_the_hint(capsys):
    reference = EXERCISES["00.1"].reference()
    check_answer("00.1", reference)
    assert capsys.readouterr().out.startswith("✓ Exercise 1")
    check_answer("00.1", reference * 1.1)
    out = capsys.readouterr().out
    assert "✗" in out and "Hint:" in out and f"{reference:.3f}" not in out


def test_unanswered_and_malformed_answers_are_told_apart(capsys):
    check_answer("00.1", None)
    assert "not answered yet" in capsys.readouterr().out
    check_answer("00.1", "ten")
    assert "should be a number in ms, got 'ten'" in capsys.readouterr().out
    check_answer("01.1", 0.3)
    assert "should be 2 numbers, got 0.3" in capsys.readouterr().out
    check_answer("00.1", float("nan"))
    assert "should be a number in ms, got nan" in capsys.readouterr().out


def test_a_wrong_solution_fails_the_run_and_an_unknown_key_is_named(capsys):
    with pytest.raises(AssertionError, match="exercise 00.1: the solution gives"):
        check_answer("00.1", 3.0, solution=True)
    with pytest.raises(AssertionError, match="gives no answer"):
        check_answer("00.1", None, solution=True)
    check_answer("00.1", EXERCISES["00.1"].reference(), solution=True)
    assert capsys.readouterr().out == ""
    with pytest.raises(KeyError, match="no exercise '00.9'"):
        check_answer("00.9", 1.0)
