"""The activity family: digital activity in schools from LMS and classroom statements."""
