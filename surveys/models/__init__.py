"""Survey models, one module per aggregate: question bank, instruments (tests), trainings, responses."""
from surveys.models.bank import QuestionContent, QuestionKind, Question, Topic
from surveys.models.instrument import Instrument, InstrumentVersion, Item
from surveys.models.response import Answer, OfflineRefusal, Rescore, Response, ResponseSource
from surveys.models.training import Participant, Phase, PhaseState, Training, TrainingPhase

__all__ = [
    "Answer", "Instrument", "InstrumentVersion", "Item", "OfflineRefusal", "Participant", "Phase", "PhaseState",
    "Question", "QuestionContent", "QuestionKind", "Rescore", "Response", "ResponseSource", "Topic", "Training",
    "TrainingPhase",
]
