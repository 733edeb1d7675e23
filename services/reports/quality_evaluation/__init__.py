"""Independent quality evaluation of conditions (НОК УООД, независимая оценка качества условий
осуществления образовательной деятельности): the standard criteria and their scores from
parents' surveys."""
