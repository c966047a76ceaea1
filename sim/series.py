"""The weekly time series: Mesa's DataCollector, fed with plain numbers computed from arrays."""

import pandas as pd
from mesa import DataCollector


class SeriesCollector(DataCollector):
    """A DataCollector of model reporters that each return a plain number.

    Mesa's ``collect`` deep-copies every reported value in case it is mutable and dispatches
    on the reporter's type; the metrics here are functions of the model that return Python
    floats and ints, so each week's row is appended as computed. Tables, frames and the rest
    of the DataCollector interface are Mesa's.
    """

    def __init__(self, model_reporters: dict) -> None:
        super().__init__(model_reporters=model_reporters)
        self.reporters = list(model_reporters.items())

    def collect(self, model) -> None:
        """Append this week's value of every reporter."""
        row = [(self.model_vars[name], reporter(model)) for name, reporter in self.reporters]
        for column, value in row:
            column.append(value)
        self._collection_steps.append(model.time)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The series, one row per collected week, as far as every column has been written."""
        columns = self.model_vars
        weeks = min((len(values) for values in columns.values()), default=0)
        return pd.DataFrame({name: values[:weeks] for name, values in columns.items()})
