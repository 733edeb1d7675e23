"""The reports service (:8002): indicator values, recommendations, the PD order, documents."""
