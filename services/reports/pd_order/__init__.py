"""The PD order (план-заказ на повышение квалификации): teachers' routes by deficit, grouped into
seats per programme, school and period."""
