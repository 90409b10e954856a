"""kengine.layers.preprocessing.integer_lookup against tf_keras goldens."""

import pytest

from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("IntegerLookup"))
def test_matches_tf_keras(case):
    _replay.check_case(case)
