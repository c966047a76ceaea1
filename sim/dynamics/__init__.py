"""Core weekly dynamics, one module each: service, fees, trust, participation, disputes, turnover."""
