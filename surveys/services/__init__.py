"""Survey writes. Services check everything first, then flush; the caller commits once."""
from surveys.services.corrections import (
    delete_training, move_response, rescore_training, restore_response, set_archived, void_response,
    voided_responses,
)
from surveys.services.bank import archive_question, clean_content, save_question, save_topic, topic_by_name
from surveys.services.instruments import create_instrument, duplicate_instrument, question_contents, update_instrument
from surveys.services.interchange import (
    ForeignWorkbook, blank_template, export_workbook, import_roster, import_workbook,
)
from surveys.services.offline import QueueImport, import_queue_file, offline_counts, receive_queued
from surveys.services.responses import (
    ParsedAnswer, display_order, find_response, parse_answer, parse_answers, save_response, score,
)
from surveys.services.trainings import (
    CONSENT_PURPOSE, add_participant, ensure_consent, find_or_create_person, remove_participant,
    save_training, set_phase_open,
)

__all__ = [
    "CONSENT_PURPOSE", "ForeignWorkbook", "delete_training", "move_response", "rescore_training",
    "restore_response", "set_archived", "void_response", "voided_responses", "ParsedAnswer", "QueueImport", "add_participant", "archive_question", "blank_template", "clean_content",
    "create_instrument", "duplicate_instrument", "display_order", "ensure_consent", "export_workbook", "find_or_create_person",
    "find_response", "import_queue_file", "import_roster", "import_workbook", "offline_counts", "parse_answer", "parse_answers",
    "question_contents", "receive_queued", "remove_participant", "save_question", "save_response", "save_topic", "save_training",
    "score", "set_phase_open", "topic_by_name", "update_instrument",
]
