"""Score visual question answering (VQA) predictions with the standard soft accuracy against ten human answers.

Write `vqa_accuracy(predictions, human_answers)` using only the standard library.
`predictions` is a list of answer strings and `human_answers` a list (same length) of lists
of human answer strings (normally 10 per question). Return the mean accuracy over
questions (a float in [0, 1]).

Answer normalisation (applied to predictions and human answers alike):
1. lowercase and strip surrounding whitespace;
2. remove the punctuation characters . , ? ! ' " : ; (replace each by nothing);
3. split on whitespace, map the number words zero..ten to digits ("two" -> "2"), drop the
   articles "a", "an", "the", and join the remaining words with single spaces.

Accuracy of one question with n human answers: for each of the n leave-one-out subsets
(drop human answer i), acc_i = min(1, (number of matching answers in the subset) / 3); the
question's accuracy is the mean of the acc_i. (With 10 answers: 3 or more matches give 1.0,
2 matches give 0.6, 1 match gives 0.3.) A question with a single human answer uses
min(1, matches / 3) without leave-one-out.

Edge cases: empty `predictions` gives 0.0. Raise ValueError if the lengths differ or a
question has no human answers.
"""
# assay: domain = multimodal
# assay: category = evaluation_metrics
# assay: difficulty = intermediate
# assay: key_concepts = VQA evaluation; answer normalisation; consensus-based soft accuracy; leave-one-out averaging
# assay: common_mistakes = exact string match without normalisation; using min(1, matches / 3) on all ten answers without leave-one-out; removing articles inside words; forgetting number-word mapping
# assay: tags = vqa, metric, normalization, stdlib

NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}


def vqa_accuracy(predictions: list[str], human_answers: list[list[str]]) -> float:
    """Return the mean VQA soft accuracy of `predictions`."""
    if len(predictions) != len(human_answers):
        raise ValueError("predictions and human_answers differ in length")
    if not predictions:
        return 0.0

    def norm(ans: str) -> str:
        s = ans.lower().strip()
        for ch in ".,?!'\":;":
            s = s.replace(ch, "")
        words = [NUMBER_WORDS.get(w, w) for w in s.split()]
        return " ".join(w for w in words if w not in ("a", "an", "the"))

    total = 0.0
    for pred, answers in zip(predictions, human_answers):
        if not answers:
            raise ValueError("every question needs human answers")
        p = norm(pred)
        matches = [norm(a) == p for a in answers]
        if len(answers) == 1:
            total += min(1.0, sum(matches) / 3)
            continue
        m = sum(matches)
        total += sum(min(1.0, (m - hit) / 3) for hit in matches) / len(answers)
    return total / len(predictions)


def test_normal_consensus_levels():
    humans = ["yes"] * 3 + ["no"] * 7
    assert vqa_accuracy(["no"], [humans]) == 1.0
    # 3 matches: leaving out a match leaves 2 -> 2/3 for 3 of the 10 subsets
    assert abs(vqa_accuracy(["yes"], [humans]) - (7 * 1.0 + 3 * 2 / 3) / 10) < 1e-12
    two = ["cat"] * 2 + ["dog"] * 8
    assert abs(vqa_accuracy(["cat"], [two]) - 0.6) < 1e-12
    assert abs(vqa_accuracy(["cat"], [["cat"] + ["dog"] * 9]) - 0.3) < 1e-12


def test_normal_normalisation():
    humans = ["Two", "2", "two dogs", "2!", "the two", "3", "two.", "four", "2", "TWO "]
    assert vqa_accuracy(["two"], [humans]) == 1.0
    assert vqa_accuracy(["A red car"], [["red car"] * 10]) == 1.0
    assert vqa_accuracy(["theater"], [["theater"] * 10]) == 1.0     # articles only removed as words
    assert vqa_accuracy(["cant"], [["can't"] * 10]) == 1.0


def test_edge_case_empty_single_and_errors():
    assert vqa_accuracy([], []) == 0.0
    assert abs(vqa_accuracy(["x"], [["x"]]) - 1 / 3) < 1e-12
    for args in ((["a"], []), (["a"], [[]])):
        try:
            vqa_accuracy(*args)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")


def test_correctness_mean_over_questions_and_subset_formula():
    import itertools
    import random
    rng = random.Random(0)
    vocab = ["red", "blue", "green", "2", "yes"]
    preds, humans = [], []
    for _ in range(30):
        humans.append([rng.choice(vocab) for _ in range(10)])
        preds.append(rng.choice(vocab))
    got = vqa_accuracy(preds, humans)
    ref = 0.0
    for p, hs in zip(preds, humans):
        subs = list(itertools.combinations(hs, 9))
        ref += sum(min(1.0, sub.count(p) / 3) for sub in subs) / len(subs)
    assert abs(got - ref / 30) < 1e-12
