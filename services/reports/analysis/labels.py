"""The analysis' codes as Russian readers say them: one home for the report's chapter and the
recommendations' texts."""

# The objectivity signs (analysis/objectivity.py).
SIGN_NAMES = {
    "boundary_spike": "пик распределения баллов на границе отметки",
    "inverted_profile": "нетипичный профиль выполнения заданий",
    "not_confirmed_by_gia": "высокие результаты ВПР не подтверждены ОГЭ/ЕГЭ",
    "journal_mismatch": "расхождение с отметками в журнале",
    "sudden_rise": "резкий рост результатов",
}
RISK_NAMES = {"none": "нет", "low": "низкий", "high": "высокий"}
# The procedures' short names (others: their catalogue name or code).
PROCEDURE_NAMES = {"vpr": "ВПР", "oge": "ОГЭ", "ege": "ЕГЭ"}
# Task levels in the genitive plural: "заданий базового уровня".
LEVEL_NAMES = {"basic": "базового", "advanced": "повышенного", "high": "высокого"}
