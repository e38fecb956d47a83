error-unexpected = Sorry, something went wrong on our side. The office has been told; please try again in a few minutes.
error-alert = ⚠️ The bot hit an unexpected error: { $kind } in { $where } (update { $update }). Details are in the log. Further alerts about the same error are held back for an hour.
