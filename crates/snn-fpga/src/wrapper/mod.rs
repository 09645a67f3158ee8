pub mod host;
pub mod top;
pub mod uart_rx;
pub mod uart_tx;
