"""Publishing: running report notebooks with papermill and exporting committee HTML."""
