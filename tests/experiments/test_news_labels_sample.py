"""The labelling draws never replace the committed record by accident."""

import pytest

from experiments.news_labels.sample import ROUND_FILES, refuse_to_replace


def test_a_round_refuses_to_replace_its_own_files_but_reads_the_earlier_rounds(tmp_path):
    for name in ROUND_FILES[1]:  # round 1's draw, copied into a folder of one's own
        (tmp_path / name).write_text("{}\n")
    with pytest.raises(SystemExit, match=r"already holds passages_to_label\.jsonl"):
        refuse_to_replace(tmp_path, 1, force=False)
    refuse_to_replace(tmp_path, 1, force=True)  # asked for
    refuse_to_replace(tmp_path, 2, force=False)  # round 2 reads round 1's splits.json
    (tmp_path / "passages_to_label_r2.jsonl").write_text("{}\n")
    with pytest.raises(SystemExit, match=r"passages_to_label_r2\.jsonl"):
        refuse_to_replace(tmp_path, 2, force=False)
    refuse_to_replace(tmp_path, 3, force=False)
