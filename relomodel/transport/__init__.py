"""Host side of the UART link: frame (COBS + CRC), protocol (packets), device (operations), serial_port."""
