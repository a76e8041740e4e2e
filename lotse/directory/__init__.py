"""The office directory kept by staff: contact data proposed and confirmed in the console, laid over
content/offices.yml in the bot's office answers (store, overlay, values, csv_import)."""
